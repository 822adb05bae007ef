import { AppConfig } from '@app/config';
import { SecretBox } from '@app/secrets';
import { User, UsersRepository } from '@app/users';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { VerificationNotPendingError, VerificationStepClosedError } from './verification.errors';
import { generateVerificationToken, hashVerificationToken } from './verification-token.generator';
import { VerificationTokenRecord, VerificationTokenRepository } from './verification-token.repository';

/** A token to put into a verification link, and until when it works. */
export interface IssuedVerificationToken {
  token: string;
  expiresAt: Date;
}

/** A send-verification-email step message: whose token, under which id. */
export interface VerificationStep {
  /** Locked (FOR NO KEY UPDATE) by the caller in the transaction the token is issued in. */
  user: User;
  stepMessageId: string;
}

/** The SecretBox context of a token's encrypted copy: it opens only for its own step message. */
const sealContext = (stepMessageId: string) => `verification-token:${stepMessageId}`;

/**
 * Issues verification tokens for the worker's `send-verification-email` step. A step message can run more than
 * once (a crash between sending the mail and recording it), and every run must mail the same link, because
 * receivers deduplicate mails by Message-ID. So the token is issued once per step message id and kept encrypted
 * until the step records the mail as sent ({@link markSent}); only its SHA-256 stays after that.
 */
@Injectable()
export class VerificationTokenService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly tokens: VerificationTokenRepository,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * The token of this step message, inside the caller's transaction (it locks the user's row). The first call
   * creates it, valid for VERIFICATION_TOKEN_TTL, and invalidates the user's older unused tokens; later calls
   * return the same token as long as it was not marked sent.
   * @throws UserNotFoundError (the user does not exist)
   * @throws VerificationNotPendingError (verified or erased: nothing to mail; a no-op for the step)
   * @throws VerificationStepClosedError (this step's token was sent, superseded, used or has expired: a no-op)
   */
  async issueForStep(
    manager: EntityManager,
    userId: string,
    stepMessageId: string,
  ): Promise<IssuedVerificationToken> {
    const users = await this.users.lockManyByIds(manager, [userId]);
    const [issued] = await this.issueForSteps(manager, [{ user: users.get(userId)!, stepMessageId }]);
    if (issued instanceof Error) throw issued;
    return issued;
  }

  /**
   * {@link issueForStep} for several step messages, each of a different user, in one statement per kind of row.
   * The caller has locked the users in this transaction, as the onboarding step runner has (the lock order of
   * every verification change: the user first), so that two steps of one user issue one after the other and the
   * second supersedes the first; their rows as locked tell whether verification is still pending.
   * @returns per step message, in order: its token, or why there is none to mail (not pending, step closed)
   */
  async issueForSteps(
    manager: EntityManager,
    steps: readonly VerificationStep[],
  ): Promise<(IssuedVerificationToken | VerificationNotPendingError | VerificationStepClosedError)[]> {
    const existing = await this.tokens.findByStepMessageIds(
      manager,
      steps.map((step) => step.stepMessageId),
    );
    const results = steps.map((step) => {
      const { id, status } = step.user;
      if (status !== 'pending_verification') return new VerificationNotPendingError(id, status);
      const token = existing.get(step.stepMessageId);
      return token ? this.reissue(token, id) : undefined;
    });
    const fresh = steps.filter((_, index) => results[index] === undefined);
    // Two new tokens of one user in one go would both stay usable: the callers give one step per user.
    if (new Set(fresh.map((step) => step.user.id)).size !== fresh.length)
      throw new Error('issueForSteps takes one step per user');
    const tokens = fresh.map(() => generateVerificationToken());
    await this.tokens.supersedeUsableOfUsers(
      manager,
      fresh.map((step) => step.user.id),
    );
    const expiries = await this.tokens.insertMany(
      manager,
      fresh.map((step, index) => ({
        id: randomUUID(),
        userId: step.user.id,
        stepMessageId: step.stepMessageId,
        tokenHash: hashVerificationToken(tokens[index]),
        tokenCiphertext: this.secrets.encrypt(tokens[index], sealContext(step.stepMessageId)),
        ttlMs: this.config.verification.tokenTtlMs,
      })),
    );
    let next = 0;
    return results.map((result) => {
      if (result) return result;
      const issued = { token: tokens[next], expiresAt: expiries[next] };
      next++;
      return issued;
    });
  }

  /**
   * The mail of this step message went out: wipes the encrypted copy of its token (only the hash remains), in
   * the caller's transaction, the one that records the step as done. Idempotent; unknown ids are ignored.
   */
  async markSent(manager: EntityManager, stepMessageId: string): Promise<void> {
    await this.tokens.markSent(manager, stepMessageId);
  }

  /** The token issued before for this step message, or why there is none to mail any more. */
  private reissue(
    existing: VerificationTokenRecord,
    userId: string,
  ): IssuedVerificationToken | VerificationStepClosedError {
    const closed = (reason: VerificationStepClosedError['reason']) =>
      new VerificationStepClosedError(existing.stepMessageId, reason);
    if (existing.userId !== userId) return closed('other user');
    if (existing.sentAt) return closed('sent');
    if (existing.usedAt) return closed('used');
    if (existing.supersededAt) return closed('superseded');
    if (existing.expired) return closed('expired');
    // Wiped without a mark (the user was verified meanwhile): as good as sent, there is nothing to mail.
    if (!existing.tokenCiphertext) return closed('sent');
    return {
      token: this.secrets.decrypt(existing.tokenCiphertext, sealContext(existing.stepMessageId)),
      expiresAt: existing.expiresAt,
    };
  }

  /** {@link markSent} for several step messages. */
  async markSentMany(manager: EntityManager, stepMessageIds: readonly string[]): Promise<void> {
    await this.tokens.markSentMany(manager, stepMessageIds);
  }
}
