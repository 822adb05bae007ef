import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

const CLAIM_MANY_SQL = PreparedStatement.define(
  'inbox.claimMany',
  `INSERT INTO inbox_messages (message_id, handler) SELECT unnest($1::text[]), $2
  ON CONFLICT DO NOTHING RETURNING message_id`,
);

const CLAIMED_AMONG_SQL = PreparedStatement.define(
  'inbox.claimedAmong',
  `SELECT message_id FROM inbox_messages WHERE message_id = ANY($1::text[]) AND handler = $2`,
);

/** The idempotent-consumer record: which handler has applied which message. */
@Injectable()
export class InboxRepository {
  /**
   * Claims `(messageId, handler)` inside the caller's transaction. Returns false when it was claimed before
   * (a redelivery or a duplicate publish): the caller then skips its effects. A concurrent duplicate blocks on
   * the primary key until the first transaction ends, then sees the claim.
   */
  async claim(manager: EntityManager, messageId: string, handler: string): Promise<boolean> {
    return (await this.claimMany(manager, [messageId], handler)).has(messageId);
  }

  /** {@link claim} for several messages of one handler, in one statement. @returns the ids claimed now */
  async claimMany(
    manager: EntityManager,
    messageIds: readonly string[],
    handler: string,
  ): Promise<Set<string>> {
    const rows: { message_id: string }[] = await queryPrepared(manager, CLAIM_MANY_SQL, [
      messageIds,
      handler,
    ]);
    return new Set(rows.map((row) => row.message_id));
  }

  /** Whether `(messageId, handler)` was claimed by a committed transaction (a check, not a claim). */
  async isClaimed(manager: EntityManager, messageId: string, handler: string): Promise<boolean> {
    return (await this.claimedAmong(manager, [messageId], handler)).has(messageId);
  }

  /** {@link isClaimed} for several messages of one handler, in one statement. @returns the ids claimed */
  async claimedAmong(
    manager: EntityManager,
    messageIds: readonly string[],
    handler: string,
  ): Promise<Set<string>> {
    const rows: { message_id: string }[] = await queryPrepared(manager, CLAIMED_AMONG_SQL, [
      messageIds,
      handler,
    ]);
    return new Set(rows.map((row) => row.message_id));
  }
}
