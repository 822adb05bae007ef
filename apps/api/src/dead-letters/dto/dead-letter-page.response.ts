import type { DeadLetterPage } from '@app/dead-letters';
import { ApiProperty } from '@nestjs/swagger';
import { DeadLetterSummaryResponse } from './dead-letter-summary.response';

export class DeadLetterPageResponse {
  @ApiProperty({ type: [DeadLetterSummaryResponse] })
  items!: DeadLetterSummaryResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'WyIyMDI2LTExLTI0VDEwOjE1OjMwLjQ1NloiLCI1YjBjM2UxYSJd',
    description: 'Pass as `cursor` (with the same filters) to get the next page; null on the last page',
  })
  nextCursor!: string | null;

  static from(page: DeadLetterPage): DeadLetterPageResponse {
    return {
      items: page.items.map((item) => DeadLetterSummaryResponse.from(item)),
      nextCursor: page.nextCursor,
    };
  }
}
