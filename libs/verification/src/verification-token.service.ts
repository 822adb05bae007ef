import { AppConfig } from '@app/config';
import { SecretBox } from '@app/secrets';
import { UserNotFoundError, UsersRepository } from '@app/users';
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
    // The user's lock first (the lock order of every verification change), so that two steps of one user
    // issue one after the other and the second supersedes the first.
    const user = await this.users.lockById(manager, userId);
    if (!user) throw new UserNotFoundError(userId);
    if (user.status !== 'pending_verification') throw new VerificationNotPendingError(userId, user.status);
    const existing = await this.tokens.findByStepMessageId(manager, stepMessageId);
    if (existing) return this.reissue(existing, userId);

    const token = generateVerificationToken();
    await this.tokens.supersedeUsable(manager, userId);
    const expiresAt = await this.tokens.insert(manager, {
      id: randomUUID(),
      userId,
      stepMessageId,
      tokenHash: hashVerificationToken(token),
      tokenCiphertext: this.secrets.encrypt(token, sealContext(stepMessageId)),
      ttlMs: this.config.verification.tokenTtlMs,
    });
    return { token, expiresAt };
  }

  /**
   * The mail of this step message went out: wipes the encrypted copy of its token (only the hash remains), in
   * the caller's transaction, the one that records the step as done. Idempotent; unknown ids are ignored.
   */
  async markSent(manager: EntityManager, stepMessageId: string): Promise<void> {
    await this.tokens.markSent(manager, stepMessageId);
  }

  private reissue(existing: VerificationTokenRecord, userId: string): IssuedVerificationToken {
    const closed = (reason: VerificationStepClosedError['reason']) =>
      new VerificationStepClosedError(existing.stepMessageId, reason);
    if (existing.userId !== userId) throw closed('other user');
    if (existing.sentAt) throw closed('sent');
    if (existing.usedAt) throw closed('used');
    if (existing.supersededAt) throw closed('superseded');
    if (existing.expired) throw closed('expired');
    // Wiped without a mark (the user was verified meanwhile): as good as sent, there is nothing to mail.
    if (!existing.tokenCiphertext) throw closed('sent');
    return {
      token: this.secrets.decrypt(existing.tokenCiphertext, sealContext(existing.stepMessageId)),
      expiresAt: existing.expiresAt,
    };
  }
}
