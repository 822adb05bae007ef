import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A row of `verification_tokens`, with `expired` judged by the database clock. */
export interface VerificationTokenRecord {
  id: string;
  userId: string;
  stepMessageId: string;
  /** The token sealed by SecretBox while its mail is pending; null after. */
  tokenCiphertext: string | null;
  expiresAt: Date;
  sentAt: Date | null;
  usedAt: Date | null;
  supersededAt: Date | null;
  expired: boolean;
}

export interface NewVerificationToken {
  id: string;
  userId: string;
  stepMessageId: string;
  tokenHash: Buffer;
  tokenCiphertext: string;
  ttlMs: number;
}

interface TokenRow {
  id: string;
  user_id: string;
  step_message_id: string;
  token_ciphertext: string | null;
  expires_at: Date;
  sent_at: Date | null;
  used_at: Date | null;
  superseded_at: Date | null;
  expired: boolean;
}

const COLUMNS = `id, user_id, step_message_id, token_ciphertext, expires_at, sent_at, used_at, superseded_at,
  expires_at <= clock_timestamp() AS expired`;

const toRecord = (row: TokenRow): VerificationTokenRecord => ({
  id: row.id,
  userId: row.user_id,
  stepMessageId: row.step_message_id,
  tokenCiphertext: row.token_ciphertext,
  expiresAt: row.expires_at,
  sentAt: row.sent_at,
  usedAt: row.used_at,
  supersededAt: row.superseded_at,
  expired: row.expired,
});

const FIND_BY_STEP_MESSAGE_IDS_SQL = PreparedStatement.define(
  'verification-tokens.findByStepMessageIds',
  `SELECT ${COLUMNS} FROM verification_tokens WHERE step_message_id = ANY($1::text[])`,
);

const FIND_BY_HASH_SQL = PreparedStatement.define(
  'verification-tokens.findByHash',
  `SELECT ${COLUMNS} FROM verification_tokens WHERE token_hash = $1`,
);

const LOCK_BY_HASH_SQL = PreparedStatement.define(
  'verification-tokens.lockByHash',
  `SELECT ${COLUMNS} FROM verification_tokens WHERE token_hash = $1 FOR UPDATE`,
);

const SUPERSEDE_USABLE_OF_USERS_SQL = PreparedStatement.define(
  'verification-tokens.supersedeUsableOfUsers',
  `UPDATE verification_tokens SET superseded_at = clock_timestamp(), token_ciphertext = NULL
  WHERE user_id = ANY($1::uuid[]) AND used_at IS NULL AND superseded_at IS NULL`,
);

const INSERT_MANY_SQL = PreparedStatement.define(
  'verification-tokens.insertMany',
  `INSERT INTO verification_tokens (id, user_id, step_message_id, token_hash, token_ciphertext, expires_at)
  SELECT id, user_id, step_message_id, token_hash, token_ciphertext,
         clock_timestamp() + ttl_ms * interval '1 millisecond'
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::float8[])
    AS token (id, user_id, step_message_id, token_hash, token_ciphertext, ttl_ms)
  RETURNING id, expires_at`,
);

const MARK_SENT_MANY_SQL = PreparedStatement.define(
  'verification-tokens.markSentMany',
  `UPDATE verification_tokens SET sent_at = coalesce(sent_at, clock_timestamp()), token_ciphertext = NULL
  WHERE step_message_id = ANY($1::text[])`,
);

const MARK_USED_SQL = PreparedStatement.define(
  'verification-tokens.markUsed',
  `UPDATE verification_tokens SET used_at = clock_timestamp(), token_ciphertext = NULL WHERE id = $1`,
);

const WIPE_CIPHERTEXTS_SQL = PreparedStatement.define(
  'verification-tokens.wipeCiphertexts',
  `UPDATE verification_tokens SET token_ciphertext = NULL
  WHERE user_id = $1 AND token_ciphertext IS NOT NULL`,
);

/**
 * Persistence of verification tokens, always inside the caller's transaction. Times come from the database
 * clock (`clock_timestamp()`), so that expiry does not depend on which process asks.
 */
@Injectable()
export class VerificationTokenRepository {
  async findByStepMessageId(
    manager: EntityManager,
    stepMessageId: string,
  ): Promise<VerificationTokenRecord | undefined> {
    return (await this.findByStepMessageIds(manager, [stepMessageId])).get(stepMessageId);
  }

  /** {@link findByStepMessageId} for several step messages, in one statement; by step message id. */
  async findByStepMessageIds(
    manager: EntityManager,
    stepMessageIds: readonly string[],
  ): Promise<Map<string, VerificationTokenRecord>> {
    const rows = await queryPrepared<TokenRow[]>(manager, FIND_BY_STEP_MESSAGE_IDS_SQL, [stepMessageIds]);
    return new Map(rows.map((row) => [row.step_message_id, toRecord(row)]));
  }

  /** With `lock`, the row stays locked (`FOR UPDATE`) until the transaction ends. */
  async findByHash(
    manager: EntityManager,
    tokenHash: Buffer,
    { lock = false } = {},
  ): Promise<VerificationTokenRecord | undefined> {
    const statement = lock ? LOCK_BY_HASH_SQL : FIND_BY_HASH_SQL;
    const rows = await queryPrepared<TokenRow[]>(manager, statement, [tokenHash]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Invalidates the user's tokens that are neither used nor superseded yet, wiping their encrypted copies. */
  async supersedeUsable(manager: EntityManager, userId: string): Promise<void> {
    await this.supersedeUsableOfUsers(manager, [userId]);
  }

  /** {@link supersedeUsable} for several users, in one statement. */
  async supersedeUsableOfUsers(manager: EntityManager, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await queryPrepared(manager, SUPERSEDE_USABLE_OF_USERS_SQL, [userIds]);
  }

  /** @returns its expiry, `ttlMs` from now by the database clock */
  async insert(manager: EntityManager, token: NewVerificationToken): Promise<Date> {
    const [expiresAt] = await this.insertMany(manager, [token]);
    return expiresAt;
  }

  /** {@link insert} for several tokens, in one statement. @returns their expiries, in order */
  async insertMany(manager: EntityManager, tokens: readonly NewVerificationToken[]): Promise<Date[]> {
    if (tokens.length === 0) return [];
    const rows = await queryPrepared<{ id: string; expires_at: Date }[]>(manager, INSERT_MANY_SQL, [
      tokens.map((token) => token.id),
      tokens.map((token) => token.userId),
      tokens.map((token) => token.stepMessageId),
      tokens.map((token) => token.tokenHash),
      tokens.map((token) => token.tokenCiphertext),
      tokens.map((token) => token.ttlMs),
    ]);
    const expiries = new Map(rows.map((row) => [row.id, row.expires_at]));
    return tokens.map((token) => expiries.get(token.id)!);
  }

  /** The mail went out: only the hash remains. Idempotent. */
  async markSent(manager: EntityManager, stepMessageId: string): Promise<void> {
    await this.markSentMany(manager, [stepMessageId]);
  }

  /** {@link markSent} for several step messages, in one statement. */
  async markSentMany(manager: EntityManager, stepMessageIds: readonly string[]): Promise<void> {
    if (stepMessageIds.length === 0) return;
    await queryPrepared(manager, MARK_SENT_MANY_SQL, [stepMessageIds]);
  }

  async markUsed(manager: EntityManager, id: string): Promise<void> {
    await queryPrepared(manager, MARK_USED_SQL, [id]);
  }

  /** The user needs no mail any more (verified): encrypted copies of unsent tokens are wiped. */
  async wipeCiphertexts(manager: EntityManager, userId: string): Promise<void> {
    await queryPrepared(manager, WIPE_CIPHERTEXTS_SQL, [userId]);
  }
}
