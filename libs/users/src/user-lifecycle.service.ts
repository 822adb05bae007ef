import { DatabaseConnector } from '@app/database';
import { OutboxWriter } from '@app/outbox';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { USER_EVENTS } from './user-registered.event';
import { UserErasedEvent } from './user-erased.event';
import { USER_PROFILE_FIELDS, UserProfileField, UserUpdatedEvent } from './user-updated.event';
import { User } from './user.entity';
import {
  PreconditionFailedError,
  PreconditionRequiredError,
  UserErasedError,
  UserNotFoundError,
} from './users.errors';
import { UsersRepository } from './users.repository';

/** New values of profile fields; a field left out stays as it is. */
export type UserProfilePatch = Partial<Record<UserProfileField, string>>;

/**
 * The versions a change may be based on (the ETags of If-Match), or `any` (`If-Match: *`: the user exists).
 * Undefined: the client sent none.
 */
export type VersionPrecondition = 'any' | readonly number[];

/**
 * Changes of a registered user by an admin: profile updates and erasure. Each runs in one transaction with the
 * user's row locked and its event in the outbox.
 */
@Injectable()
export class UserLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly users: UsersRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Applies `patch` if the user is still at a version the precondition names. Checks run in this order: the
   * user exists, is not erased, a precondition was given, it matches (so a stale ETag of an erased user answers
   * "erased", not "stale"). Fields set to the value they have already do not count as changed; when nothing
   * changes, nothing is written and no event is emitted (the version stays).
   * Emits `user.updated` with the names of the changed fields.
   * @throws UserNotFoundError, UserErasedError, PreconditionRequiredError, PreconditionFailedError
   */
  async update(
    id: string,
    patch: UserProfilePatch,
    precondition: VersionPrecondition | undefined,
    requestId: string,
  ): Promise<User> {
    this.database.assertConnected();
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.lockById(manager, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'erased') throw new UserErasedError(id);
      if (precondition === undefined) throw new PreconditionRequiredError();
      if (precondition !== 'any' && !precondition.includes(user.version)) {
        throw new PreconditionFailedError(user.version);
      }
      const changes: UserProfilePatch = {};
      for (const field of USER_PROFILE_FIELDS) {
        const value = patch[field]?.trim();
        if (value !== undefined && value !== user[field]) changes[field] = value;
      }
      const changed = USER_PROFILE_FIELDS.filter((field) => field in changes);
      if (changed.length === 0) return user;
      const updated = await this.users.updateProfile(manager, id, changes);
      const event: UserUpdatedEvent = { userId: id, updatedAt: updated.updatedAt.toISOString(), changed };
      await this.outbox.enqueue(manager, {
        routingKey: USER_EVENTS.updated,
        payload: event,
        headers: { 'x-request-id': requestId },
      });
      return updated;
    });
  }

  /**
   * Erases the user's personal data in place (see UsersRepository.erase) and emits `user.erased`. Idempotent:
   * erasing an erased user changes nothing and emits nothing.
   * @returns the erased user
   * @throws UserNotFoundError
   */
  async erase(id: string, requestId: string): Promise<User> {
    this.database.assertConnected();
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.lockById(manager, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'erased') return user;
      const erased = await this.users.erase(manager, id);
      const event: UserErasedEvent = { userId: id, erasedAt: erased.erasedAt!.toISOString() };
      await this.outbox.enqueue(manager, {
        routingKey: USER_EVENTS.erased,
        payload: event,
        headers: { 'x-request-id': requestId },
      });
      return erased;
    });
  }
}
