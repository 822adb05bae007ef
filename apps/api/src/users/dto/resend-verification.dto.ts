import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';

export class ResendVerificationDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Compared as at registration' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;
}
