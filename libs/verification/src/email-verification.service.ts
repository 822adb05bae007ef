import { AppConfig } from '@app/config';
import { DatabaseConnector } from '@app/database';
import { OutboxWriter } from '@app/outbox';
import {
  normalizeEmail,
  User,
  USER_EVENTS,
  UserErasedError,
  UserLifecycleMetrics,
  UserNotFoundError,
  UsersRepository,
  UserVerifiedEvent,
  type VerificationMethod,
} from '@app/users';
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import {
  SEND_VERIFICATION_EMAIL_STEP,
  SendVerificationEmailCommand,
} from './send-verification-email.command';
import {
  VerificationTokenExpiredError,
  VerificationTokenInvalidError,
  VerificationTokenSupersededError,
  VerificationTokenUsedError,
} from './verification.errors';
import { hashVerificationToken } from './verification-token.generator';
import { VerificationTokenRepository } from './verification-token.repository';

/**
 * A resend answers no sooner than this after it started, whether a mail was requested or not: the two paths
 * differ by an insert and a commit that flushes WAL, a few milliseconds that would tell a registered email from
 * an unknown one. The floor hides that difference (both paths take well under it unless the database is slow,
 * which then slows both alike).
 */
const RESEND_MIN_DURATION_MS = 250;

/** The user after a verification request, and how it was verified if this request verified it. */
interface VerificationOutcome {
  user: User;
  verifiedBy?: VerificationMethod;
}

/** Verifying an email: with a mailed token (the user), by support staff (an admin), and asking for a new mail. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly users: UsersRepository,
    private readonly tokens: VerificationTokenRepository,
    private readonly outbox: OutboxWriter,
    private readonly metrics: UserLifecycleMetrics,
  ) {}

  /**
   * Verifies the email of the token's user, marks the token used and emits `user.verified`, in one transaction.
   * A valid token of a user whom an admin verified meanwhile is spent without a second event. Any failure
   * changes nothing.
   * @throws VerificationTokenInvalidError (unknown), VerificationTokenUsedError, VerificationTokenSupersededError,
   *   VerificationTokenExpiredError
   */
  async verifyEmail(token: string, requestId: string): Promise<User> {
    this.database.assertConnected();
    const tokenHash = hashVerificationToken(token);
    return this.verifying(async (manager) => {
      const found = await this.tokens.findByHash(manager, tokenHash);
      if (!found) throw new VerificationTokenInvalidError();
      // Lock order: the user, then the token; then read the token again, as it is now.
      const user = await this.users.lockById(manager, found.userId);
      const current = user && (await this.tokens.findByHash(manager, tokenHash, { lock: true }));
      if (!user || !current) throw new VerificationTokenInvalidError();
      if (current.usedAt) throw new VerificationTokenUsedError();
      if (current.supersededAt) throw new VerificationTokenSupersededError();
      if (current.expired) throw new VerificationTokenExpiredError();
      await this.tokens.markUsed(manager, current.id);
      if (user.status !== 'pending_verification') return { user };
      return this.markVerified(manager, user.id, 'token', requestId);
    });
  }

  /**
   * Asks for a new verification mail for `email`. When a user with this email exists, is pending verification,
   * and its last mail request (registration included) is at least VERIFICATION_RESEND_INTERVAL old, a
   * `send-verification-email` step message goes into the outbox, whose step issues a new token (invalidating
   * the old one). Otherwise nothing happens. The caller cannot tell which: same result, similar timing.
   */
  async requestResend(email: string, requestId: string): Promise<void> {
    const started = Date.now();
    try {
      this.database.assertConnected();
      await this.dataSource.transaction(async (manager) => {
        const claim = await this.users.claimVerificationMailRequest(
          manager,
          normalizeEmail(email),
          this.config.verification.resendIntervalMs,
        );
        if (!claim) return;
        const command: SendVerificationEmailCommand = {
          userId: claim.userId,
          reason: 'resend',
          requestedAt: claim.requestedAt.toISOString(),
        };
        await this.outbox.enqueue(manager, {
          exchange: 'steps',
          routingKey: SEND_VERIFICATION_EMAIL_STEP,
          payload: command,
          headers: { 'x-request-id': requestId },
        });
      });
    } finally {
      const remaining = RESEND_MIN_DURATION_MS - (Date.now() - started);
      if (remaining > 0) await sleep(remaining);
    }
  }

  /**
   * Support staff verify a user (the replaced service's `PUT /users/{id}`, now recorded as `admin`), with
   * `user.verified` in the same transaction. Idempotent: a verified user is returned unchanged, no event.
   * @throws UserNotFoundError, UserErasedError
   */
  async verifyByAdmin(userId: string, requestId: string): Promise<User> {
    this.database.assertConnected();
    return this.verifying(async (manager) => {
      const user = await this.users.lockById(manager, userId);
      if (!user) throw new UserNotFoundError(userId);
      if (user.status === 'erased') throw new UserErasedError(userId);
      if (user.status === 'active') return { user };
      return this.markVerified(manager, userId, 'admin', requestId);
    });
  }

  /** Runs `work` in a transaction and, once it has committed, counts the verification it made, if any. */
  private async verifying(work: (manager: EntityManager) => Promise<VerificationOutcome>): Promise<User> {
    const { user, verifiedBy } = await this.dataSource.transaction(work);
    if (verifiedBy) this.metrics.verified(verifiedBy);
    return user;
  }

  private async markVerified(
    manager: EntityManager,
    userId: string,
    method: VerificationMethod,
    requestId: string,
  ): Promise<VerificationOutcome> {
    const verified = await this.users.markVerified(manager, userId, method);
    // No mail is needed any more: a pending step finds the user verified and does nothing.
    await this.tokens.wipeCiphertexts(manager, userId);
    const event: UserVerifiedEvent = { userId, verifiedAt: verified.emailVerifiedAt!.toISOString(), method };
    await this.outbox.enqueue(manager, {
      routingKey: USER_EVENTS.verified,
      payload: event,
      headers: { 'x-request-id': requestId },
    });
    return { user: verified, verifiedBy: method };
  }
}
