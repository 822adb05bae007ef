import { uniqueViolationConstraint, PreparedStatement, queryPrepared } from '@app/database';
import { handoffClaimValues, OutboxHandoff } from '@app/outbox';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { UserCursor } from './user-cursor';
import { User, type UserStatus, type VerificationMethod } from './user.entity';
import { USER_EVENTS } from './user-registered.event';
import type { UserProfileField } from './user-updated.event';
import { UserEmailTakenError, UserNotFoundError } from './users.errors';

export type NewUser = Pick<User, 'id' | 'email' | 'passwordHash' | 'firstName' | 'lastName'>;

/** Filters of the user list; all optional, combined with AND. */
export interface UserListFilter {
  status?: UserStatus;
  /** Normalised already (`normalizeEmail`). */
  email?: string;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before. */
  createdTo?: Date;
}

/** A verification mail request that passed the resend interval. */
export interface ClaimedMailRequest {
  userId: string;
  requestedAt: Date;
}

/** A registered user's row with its `user.registered` event, as the registration statement returns them. */
type RegisteredRow = Partial<User> & { eventPayload: unknown; eventCreatedAt: Date };

// TypeORM's query() answers an UPDATE or DELETE with [rows, affected count] on PostgreSQL.
type UpdateResult<T> = [T[], number];

/**
 * Every column of User but the password hash (as the entity selects them), under the entity's property names:
 * rows selected with it become users with `manager.create(User, row)`. Exported for the statements of other
 * libraries that lock or read users together with rows of their own (one round trip instead of two).
 */
export const USER_COLUMNS = `id, email, first_name AS "firstName", last_name AS "lastName", status,
  onboarding_status AS "onboardingStatus", created_at AS "createdAt", updated_at AS "updatedAt",
  email_verified_at AS "emailVerifiedAt", verification_method AS "verificationMethod", erased_at AS "erasedAt",
  version`;

const INSERT_REGISTERED_SQL = PreparedStatement.define(
  'users.insertRegistered',
  `WITH new_user AS (
    INSERT INTO users (id, email, password_hash, first_name, last_name, status, onboarding_status)
    VALUES ($1, $2, $3, $4, $5, 'pending_verification', 'pending')
    RETURNING *
  ), registered_event AS (
    INSERT INTO outbox_messages (id, exchange, routing_key, payload, headers, available_at, publish_attempts)
    SELECT $6, 'events', $7,
           jsonb_build_object(
             'userId', id,
             'registeredAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
           ),
           $8::jsonb, ${handoffClaimValues('$9')}
    FROM new_user
    RETURNING payload, created_at
  )
  SELECT ${USER_COLUMNS}, (SELECT payload FROM registered_event) AS "eventPayload",
         (SELECT created_at FROM registered_event) AS "eventCreatedAt"
  FROM new_user`,
);

const FIND_BY_ID_SQL = PreparedStatement.define(
  'users.findById',
  `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
);

const LOCK_BY_IDS_SQL = PreparedStatement.define(
  'users.lockByIds',
  `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
);

const MARK_VERIFIED_SQL = PreparedStatement.define(
  'users.markVerified',
  `UPDATE users SET status = 'active', email_verified_at = clock_timestamp(), verification_method = $2
  WHERE id = $1 AND status = 'pending_verification'`,
);

const ERASE_SQL = PreparedStatement.define(
  'users.erase',
  `UPDATE users SET email = 'erased+' || id || '@erased.invalid', first_name = NULL, last_name = NULL,
    password_hash = NULL, status = 'erased', erased_at = clock_timestamp()
  WHERE id = $1 AND status <> 'erased'`,
);

/** Persistence of users; database errors become domain errors here and nowhere else. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly handoff: OutboxHandoff,
  ) {}

  /**
   * Inserts the user and its `user.registered` event (an outbox row, as OutboxWriter writes them) in one
   * statement: a statement is atomic on its own, so the pair needs no transaction of its own, and a registration
   * is one round trip to the database instead of four (START, two INSERTs, COMMIT). The event is built in SQL
   * because its `registeredAt` is the row's `created_at`, the database's clock, as every other time of a user.
   * The unique index on `lower(email)` decides races: there is no check-then-insert. The event is written
   * claimed and handed to this process's relay at commit, as OutboxWriter does ({@link OutboxHandoff}).
   * @param manager the caller's transaction, or the data source's manager for none
   * @throws UserEmailTakenError
   */
  async insertRegistered(
    manager: EntityManager,
    user: NewUser,
    event: { outboxId: string; headers: Record<string, string> },
  ): Promise<User> {
    const leaseMs = this.handoff.leaseMs;
    try {
      const [{ eventPayload, eventCreatedAt, ...row }] = await queryPrepared<RegisteredRow[]>(
        manager,
        INSERT_REGISTERED_SQL,
        [
          user.id,
          user.email,
          user.passwordHash,
          user.firstName,
          user.lastName,
          event.outboxId,
          USER_EVENTS.registered,
          JSON.stringify(event.headers),
          leaseMs,
        ],
      );
      this.handoff.written(manager, leaseMs, [
        {
          id: event.outboxId,
          messageId: event.outboxId,
          exchange: 'events',
          routingKey: USER_EVENTS.registered,
          payload: eventPayload,
          headers: event.headers,
          createdAt: eventCreatedAt,
        },
      ]);
      return manager.create(User, row);
    } catch (error) {
      if (uniqueViolationConstraint(error) === 'users_email_lower_key') throw new UserEmailTakenError();
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    const [row] = await queryPrepared<Partial<User>[]>(this.users.manager, FIND_BY_ID_SQL, [id]);
    return row ? this.users.create(row) : null;
  }

  /**
   * Reads the user and locks its row (`FOR NO KEY UPDATE`: it does not block the key-share locks that rows
   * referencing the user take) until the caller's transaction ends: every change of a user
   * starts here, so that concurrent changes of one user run one after the other. Lock order, everywhere: the
   * user, then its other rows (verification tokens).
   */
  async lockById(manager: EntityManager, id: string): Promise<User | null> {
    const [row] = await queryPrepared<Partial<User>[]>(manager, LOCK_BY_IDS_SQL, [[id]]);
    return row ? manager.create(User, row) : null;
  }

  /**
   * Several users, each locked as by {@link lockById}, in id order: two transactions locking overlapping sets
   * wait for each other instead of deadlocking.
   * @returns the users by id
   * @throws UserNotFoundError for the first id that has no user
   */
  async lockManyByIds(manager: EntityManager, ids: readonly string[]): Promise<Map<string, User>> {
    if (ids.length === 0) return new Map();
    const rows = await queryPrepared<(Partial<User> & { id: string })[]>(manager, LOCK_BY_IDS_SQL, [ids]);
    const users = new Map(rows.map((row) => [row.id, manager.create(User, row)]));
    const missing = ids.find((id) => !users.has(id));
    if (missing) throw new UserNotFoundError(missing);
    return users;
  }

  /** Users after `after` in `(createdAt, id)` order that match `filter`. */
  findPage(limit: number, after?: UserCursor, filter: UserListFilter = {}): Promise<User[]> {
    const query = this.users
      .createQueryBuilder('user')
      .orderBy('user.createdAt', 'ASC')
      .addOrderBy('user.id', 'ASC');
    // Each filter has an index leading with it (status: users_status_created_at_id_idx, email: the unique
    // lower(email) index, created range: users_created_at_id_idx).
    if (filter.status) query.andWhere('user.status = :status', { status: filter.status });
    if (filter.email !== undefined) query.andWhere('lower(user.email) = :email', { email: filter.email });
    if (filter.createdFrom)
      query.andWhere('user.createdAt >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.createdTo) query.andWhere('user.createdAt < :createdTo', { createdTo: filter.createdTo });
    if (after) {
      query.andWhere(
        new Brackets((where) =>
          where
            .where('user.createdAt > :createdAt', { createdAt: after.createdAt })
            .orWhere('(user.createdAt = :createdAt AND user.id > :id)', { id: after.id }),
        ),
      );
    }
    return query.take(limit).getMany();
  }

  /** Records the outcome of onboarding on the user, inside the caller's transaction. */
  async setOnboardingStatus(
    manager: EntityManager,
    id: string,
    status: User['onboardingStatus'],
  ): Promise<void> {
    await manager.update(User, { id }, { onboardingStatus: status });
  }

  /**
   * Records that onboarding failed for good, inside the caller's transaction, unless it completed (a late dead
   * letter of a duplicate must not undo a completed onboarding).
   * @returns whether the user exists and was not completed
   */
  async markOnboardingFailed(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ onboardingStatus: 'failed' })
      .where('id = :id', { id })
      .andWhere('onboarding_status <> :completed', { completed: 'completed' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Marks a pending user verified, inside the caller's transaction (which holds the row lock).
   * @returns the user as it is now
   */
  async markVerified(manager: EntityManager, id: string, method: VerificationMethod): Promise<User> {
    await queryPrepared(manager, MARK_VERIFIED_SQL, [id, method]);
    return manager.findOneByOrFail(User, { id });
  }

  /** Sets profile fields, inside the caller's transaction. @returns the user as it is now */
  async updateProfile(
    manager: EntityManager,
    id: string,
    changes: Partial<Record<UserProfileField, string>>,
  ): Promise<User> {
    await manager.update(User, { id }, changes);
    return manager.findOneByOrFail(User, { id });
  }

  /**
   * Erases the user in place, inside the caller's transaction: names and password hash removed, the email
   * replaced by a placeholder that is unique (it contains the id) and can never be registered by anyone real
   * (`.invalid` is reserved, RFC 2606), so the unique email index stays valid and the original email is free
   * to register again. A trigger of the verification migration deletes the user's verification tokens in the
   * same statement.
   * @returns the user as it is now
   */
  async erase(manager: EntityManager, id: string): Promise<User> {
    await queryPrepared(manager, ERASE_SQL, [id]);
    return manager.findOneByOrFail(User, { id });
  }

  /**
   * Records a verification mail request for the user with this (normalised) email, if there is one, it is
   * pending verification, and its last request is at least `intervalMs` old. One statement: concurrent requests
   * queue on the row lock and re-check the condition against the committed row, so at most one of them per
   * interval gets the claim.
   * @returns the claim, or undefined (no such user, not pending, or too soon: indistinguishable on purpose)
   */
  async claimVerificationMailRequest(
    manager: EntityManager,
    email: string,
    intervalMs: number,
  ): Promise<ClaimedMailRequest | undefined> {
    const [rows] = await manager.query<UpdateResult<{ id: string; verification_requested_at: Date }>>(
      `UPDATE users SET verification_requested_at = clock_timestamp()
       WHERE lower(email) = $1 AND status = 'pending_verification'
         AND (verification_requested_at IS NULL
              OR verification_requested_at <= clock_timestamp() - $2 * interval '1 millisecond')
       RETURNING id, verification_requested_at`,
      [email, intervalMs],
    );
    const row = rows[0];
    return row ? { userId: row.id, requestedAt: row.verification_requested_at } : undefined;
  }
}
