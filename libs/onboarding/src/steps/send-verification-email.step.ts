import { AppConfig } from '@app/config';
import { MailSender, verificationEmail } from '@app/mail';
import {
  SendVerificationEmailCommand,
  VerificationNotPendingError,
  VerificationStepClosedError,
  VerificationTokenService,
} from '@app/verification';
import { Injectable } from '@nestjs/common';
import type { StepOutcome } from './onboarding-step.metrics';
import { OnboardingStepRunner, StepSkip } from './onboarding-step.runner';
import { stepUnitOf } from './onboarding-steps';
import type { StepMessage } from './step-message';
import { ONBOARDING_STEP_NAMES } from './step-names';

/**
 * Mails a verification link. In three parts, so that no transaction or lock is held while the SMTP server is
 * talked to: issue the step's token (the same one on every run of this message), send the mail, then record it
 * sent (the token's encrypted copy wiped) and the unit completed. A crash between sending and recording sends
 * the mail once more, with the same `Message-ID` and the same link, so that the receiver can drop the repeat.
 * A registration's mail counts towards onboarding; a resend is a unit of its own that does not.
 */
@Injectable()
export class SendVerificationEmailStep {
  private readonly domain: string;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: OnboardingStepRunner,
    private readonly tokens: VerificationTokenService,
    private readonly mail: MailSender,
  ) {
    // The Message-ID's right-hand side: the From address's domain.
    this.domain = /@([^>\s]+)>?\s*$/.exec(config.mail.from)?.[1] ?? 'onboarding.invalid';
  }

  run(message: StepMessage, command: SendVerificationEmailCommand): Promise<StepOutcome> {
    const unit = stepUnitOf(ONBOARDING_STEP_NAMES.sendVerificationEmail, message.messageId, command);
    return this.runner.run(unit, async () => {
      const ready = await this.runner.prepare(unit, async (manager, user) => {
        try {
          return await this.tokens.issueForStep(manager, user.id, message.messageId);
        } catch (error) {
          if (error instanceof VerificationNotPendingError)
            return new StepSkip(`the user is ${error.status}`);
          if (error instanceof VerificationStepClosedError)
            return new StepSkip(`its token is ${error.reason}`);
          throw error;
        }
      });
      if ('outcome' in ready) return ready.outcome;
      const { prepared: token, user } = ready;
      const url = new URL(`${this.config.publicBaseUrl}/verify-email`);
      url.searchParams.set('token', token.token);
      await this.mail.send(
        verificationEmail({
          messageId: `<${message.messageId}.verification@${this.domain}>`,
          to: user.email,
          firstName: user.firstName,
          verificationUrl: url.toString(),
          expiresAt: token.expiresAt,
        }),
      );
      // The mail is out: recorded as it is, even if the user was erased meanwhile.
      return this.runner.complete(unit, (manager) => this.tokens.markSent(manager, message.messageId), {
        skipErased: false,
      });
    });
  }
}
