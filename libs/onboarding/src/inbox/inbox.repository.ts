import { PreparedStatement, queryPrepared } from '@app/database';
import { User, USER_COLUMNS } from '@app/users';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

const CLAIM_MANY_SQL = PreparedStatement.define(
  'inbox.claimMany',
  `INSERT INTO inbox_messages (message_id, handler) SELECT unnest($1::text[]), $2
  ON CONFLICT DO NOTHING RETURNING message_id`,
);

// The locking CTE is MATERIALIZED: it stays a plan of its own (never folded into the join), which the join reads
// to its end, so every user of a claimed message is locked, in id order.
const CLAIM_MANY_LOCKING_USERS_SQL = PreparedStatement.define(
  'inbox.claimManyLockingUsers',
  `WITH claimed AS (
    INSERT INTO inbox_messages (message_id, handler) SELECT unnest($1::text[]), $3
    ON CONFLICT DO NOTHING RETURNING message_id
  ), message_user AS (
    SELECT * FROM unnest($1::text[], $2::uuid[]) AS given(message_id, user_id)
  ), locked AS MATERIALIZED (
    SELECT ${USER_COLUMNS} FROM users
    WHERE id IN (SELECT user_id FROM message_user JOIN claimed USING (message_id))
    ORDER BY id FOR NO KEY UPDATE
  )
  SELECT claimed.message_id AS "claimedMessageId", locked.*
  FROM claimed JOIN message_user USING (message_id) LEFT JOIN locked ON locked.id = message_user.user_id`,
);

const CLAIMED_AMONG_LOCKING_USERS_SQL = PreparedStatement.define(
  'inbox.claimedAmongLockingUsers',
  `WITH message_user AS (
    SELECT * FROM unnest($1::text[], $2::uuid[]) AS given(message_id, user_id)
  ), claimed_before AS (
    SELECT message_id FROM inbox_messages WHERE message_id = ANY($1::text[]) AND handler = $3
  ), locked AS MATERIALIZED (
    SELECT ${USER_COLUMNS} FROM users
    WHERE id IN (SELECT user_id FROM message_user WHERE message_id NOT IN (SELECT message_id FROM claimed_before))
    ORDER BY id FOR NO KEY UPDATE
  )
  SELECT claimed_before.message_id AS "claimedMessageId", locked.*
  FROM message_user LEFT JOIN claimed_before USING (message_id)
  LEFT JOIN locked ON locked.id = message_user.user_id AND claimed_before.message_id IS NULL`,
);

/** A message and the user it is about, for {@link InboxRepository.claimManyLockingUsers}. */
export interface MessageOfUser {
  messageId: string;
  userId: string;
}

/**
 * The messages {@link InboxRepository.claimManyLockingUsers} claimed (or
 * {@link InboxRepository.claimedAmongLockingUsers} found claimed before), and the users it locked.
 */
export interface ClaimsAndUsers {
  claimed: Set<string>;
  /** By id; a user that does not exist is missing here. */
  users: Map<string, User>;
}

type ClaimRow = Omit<Partial<User>, 'id'> & { claimedMessageId: string | null; id: string | null };

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
    if (messageIds.length === 0) return new Set();
    const rows: { message_id: string }[] = await queryPrepared(manager, CLAIM_MANY_SQL, [
      messageIds,
      handler,
    ]);
    return new Set(rows.map((row) => row.message_id));
  }

  /**
   * {@link claimMany}, then the users of the messages claimed now locked as `UsersRepository.lockManyByIds` locks
   * them (FOR NO KEY UPDATE, in id order), in one statement: one round trip where a step's transaction took two.
   * The users of messages claimed before are not locked.
   */
  async claimManyLockingUsers(
    manager: EntityManager,
    messages: readonly MessageOfUser[],
    handler: string,
  ): Promise<ClaimsAndUsers> {
    return this.claimsAndUsers(manager, CLAIM_MANY_LOCKING_USERS_SQL, messages, handler);
  }

  /**
   * Which of the messages were claimed before (a check, not a claim), then the users of the others locked as
   * {@link claimManyLockingUsers} locks them, in one statement (one snapshot: a claim committed while a lock
   * waited is not seen, as it was not by the check before the lock when they were two statements).
   */
  async claimedAmongLockingUsers(
    manager: EntityManager,
    messages: readonly MessageOfUser[],
    handler: string,
  ): Promise<ClaimsAndUsers> {
    return this.claimsAndUsers(manager, CLAIMED_AMONG_LOCKING_USERS_SQL, messages, handler);
  }

  private async claimsAndUsers(
    manager: EntityManager,
    statement: PreparedStatement,
    messages: readonly MessageOfUser[],
    handler: string,
  ): Promise<ClaimsAndUsers> {
    const rows: ClaimRow[] = await queryPrepared(manager, statement, [
      messages.map((message) => message.messageId),
      messages.map((message) => message.userId),
      handler,
    ]);
    const claimed = new Set<string>();
    const users = new Map<string, User>();
    for (const { claimedMessageId, id, ...columns } of rows) {
      if (claimedMessageId !== null) claimed.add(claimedMessageId);
      if (id !== null) users.set(id, manager.create(User, { id, ...columns }));
    }
    return { claimed, users };
  }
}
