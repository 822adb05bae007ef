import { IsIn, IsISO8601, IsUUID } from 'class-validator';

/** The worker's step that mails a verification link (routing key on the `steps` exchange). */
export const SEND_VERIFICATION_EMAIL_STEP = 'send-verification-email';

export const VERIFICATION_MAIL_REASONS = ['registration', 'resend'] as const;
export type VerificationMailReason = (typeof VERIFICATION_MAIL_REASONS)[number];

/**
 * Payload of a `send-verification-email` step message: which user, why, and when it was asked for. The step
 * issues the token (VerificationTokenService.issueForStep, which invalidates the older ones) and mails it.
 */
export class SendVerificationEmailCommand {
  @IsUUID()
  userId!: string;

  @IsIn(VERIFICATION_MAIL_REASONS)
  reason!: VerificationMailReason;

  @IsISO8601({ strict: true })
  requestedAt!: string;
}
