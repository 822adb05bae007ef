import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { IsPersonName } from './person-name.rules';

// A JSON Merge Patch field: absent leaves it alone; present must be valid. `null` (which in a merge patch would
// delete the field) is refused, as a name cannot be removed; IsOptional would let it through.
const whenPresent = ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A JSON Merge Patch (RFC 7396) of a user's profile: only these fields, each optional, none nullable. */
export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Augusta Ada', minLength: 1, maxLength: 100, description: 'Not null' })
  @whenPresent
  @IsPersonName('firstName')
  firstName?: string;

  @ApiPropertyOptional({ example: 'King', minLength: 1, maxLength: 100, description: 'Not null' })
  @whenPresent
  @IsPersonName('lastName')
  lastName?: string;
}
