import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OutboxBacklog {
  pending: number;
  /** Age of the oldest unpublished event; 0 when there is none. */
  oldestPendingSeconds: number;
}

/** What the relay has not published yet: a growing backlog or an old event means signups are not moving. */
@Injectable()
export class OutboxBacklogReader {
  constructor(private readonly dataSource: DataSource) {}

  async read(): Promise<OutboxBacklog> {
    const [row] = await this.dataSource.query<{ pending: number; oldest: number | null }[]>(
      `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest
       FROM outbox_messages WHERE published_at IS NULL`,
    );
    return { pending: row?.pending ?? 0, oldestPendingSeconds: Math.max(0, row?.oldest ?? 0) };
  }
}
