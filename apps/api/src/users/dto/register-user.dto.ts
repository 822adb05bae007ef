import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

export class RegisterUserDto {
  @ApiProperty({
    example: 'ada@example.com',
    maxLength: 254,
    description: 'Trimmed and lower-cased; unique regardless of case',
  })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: 8,
    maxLength: 128,
    format: 'password',
    writeOnly: true,
    description: '8 to 128 characters (Unicode characters, not bytes). Stored only as an argon2id hash.',
  })
  @IsString()
  @Length(8, 128)
  password!: string;

  @ApiProperty({ example: 'Ada', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'firstName must not contain control characters' })
  firstName!: string;

  @ApiProperty({ example: 'Lovelace', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'lastName must not contain control characters' })
  lastName!: string;
}
