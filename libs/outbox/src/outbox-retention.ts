import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Deletes published outbox rows once they are older than the retention: nothing reads them after the broker has
 * confirmed them, except an operator looking back. A pending row is never deleted, however old.
 */
@Injectable()
export class OutboxRetention {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One small batch, oldest first, skipping rows another purge (or a relay) holds.
   * @returns how many rows were deleted (fewer than `batchSize`: nothing more is due)
   */
  async purgeBatch(retentionDays: number, batchSize: number): Promise<number> {
    const [, deleted]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM outbox_messages WHERE id IN (
         SELECT id FROM outbox_messages
         WHERE published_at < now() - make_interval(days => $1)
         ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [retentionDays, batchSize],
    );
    return deleted;
  }
}
