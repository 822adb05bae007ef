import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from './user.response';

export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] })
  items!: UserResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'MjAyNi0xMS0yNFQxMDoxNTozMC4xMjNafDBmOGUzYzJhLTViMWQtNGM3ZS05YTZmLTJkNGI4ZTFjM2E1Zg',
    description: 'Pass as `cursor` to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
