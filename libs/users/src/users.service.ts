import { DatabaseConnector } from '@app/database';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { normalizeEmailAddress } from './email-address';
import { normalizePassword } from './password-policy';
import { PasswordHasher } from './password.hasher';
import { UserLifecycleMetrics } from './user-lifecycle.metrics';
import { normalizePersonName } from './person-name';
import { decodeUserCursor, encodeUserCursor } from './user-cursor';
import { User } from './user.entity';
import { NewUser, UserListFilter, UsersRepository } from './users.repository';
import { UserNotFoundError } from './users.errors';

export interface RegisterUserCommand {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export interface RegisterOptions {
  /**
   * More writes that must commit with the user or not at all (the API records the idempotency key's answer
   * here); runs inside the registration's transaction, after the user and its event.
   */
  withinTransaction?: (manager: EntityManager, user: User) => Promise<void>;
}

export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

/** Registration and reading of users; the HTTP controller is a thin adapter over it. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly metrics: UserLifecycleMetrics,
  ) {}

  /**
   * Stores the user and its `user.registered` event atomically (the transactional outbox): once this
   * resolves, onboarding will happen even if the broker is down right now.
   * @throws UserEmailTakenError when the email (case-insensitively) is registered already
   */
  async register(
    command: RegisterUserCommand,
    requestId: string,
    options: RegisterOptions = {},
  ): Promise<User> {
    this.database.assertConnected();
    const passwordHash = await this.hasher.hash(normalizePassword(command.password));
    const user: NewUser = {
      id: randomUUID(),
      email: normalizeEmail(command.email),
      passwordHash,
      firstName: normalizePersonName(command.firstName),
      lastName: normalizePersonName(command.lastName),
    };
    const event = { outboxId: randomUUID(), headers: { 'x-request-id': requestId } };
    const { withinTransaction } = options;
    // Without more writes to commit with it, the registration is one statement, atomic on its own.
    const registered = withinTransaction
      ? await this.dataSource.transaction(async (manager) => {
          const inserted = await this.users.insertRegistered(manager, user, event);
          await withinTransaction(manager, inserted);
          return inserted;
        })
      : await this.users.insertRegistered(this.dataSource.manager, user, event);
    this.metrics.registered();
    return registered;
  }

  /** @throws UserNotFoundError */
  async get(id: string): Promise<User> {
    this.database.assertConnected();
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  /**
   * A page of users matching `filter` (its email is normalised as at registration). A cursor is a position in
   * the list order, so it stays valid whatever the filters; pass the same filters to page through one list.
   * @throws InvalidCursorError
   */
  async list(limit: number, cursor?: string, filter: UserListFilter = {}): Promise<UserPage> {
    this.database.assertConnected();
    const after = cursor === undefined ? undefined : decodeUserCursor(cursor);
    const normalized =
      filter.email === undefined ? filter : { ...filter, email: normalizeEmail(filter.email) };
    const rows = await this.users.findPage(limit + 1, after, normalized);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeUserCursor(last) : null };
  }
}

/** The stored form of an email (see normalizeEmailAddress): NFKC, trimmed, lower-cased, A-label domain. */
export function normalizeEmail(email: string): string {
  return normalizeEmailAddress(email);
}
