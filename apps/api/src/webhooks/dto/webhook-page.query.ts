import { PAGE_LIMIT, PageCursor, PageLimit } from '../../validation/page.rules';

export class WebhookPageQuery {
  @PageLimit()
  limit: number = PAGE_LIMIT.default;

  @PageCursor('The nextCursor of the previous page', 512)
  cursor?: string;
}
