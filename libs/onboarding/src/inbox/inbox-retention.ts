import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Deletes inbox rows older than the retention. A row only matters while its message can still arrive again: the
 * retention must outlast the longest redelivery window (the queues' message TTL plus the retry ladder, and any
 * dead letter an operator might replay; see the README), after which a repeat would run again.
 */
@Injectable()
export class InboxRetention {
  constructor(private readonly dataSource: DataSource) {}

  /** @returns how many rows were deleted (fewer than `batchSize`: nothing more is due) */
  async purgeBatch(retentionDays: number, batchSize: number): Promise<number> {
    const [, deleted]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM inbox_messages WHERE (message_id, handler) IN (
         SELECT message_id, handler FROM inbox_messages
         WHERE processed_at < now() - make_interval(days => $1)
         ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [retentionDays, batchSize],
    );
    return deleted;
  }
}
