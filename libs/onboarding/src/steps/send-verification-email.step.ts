import { AppConfig } from '@app/config';
import { MailSender, OutgoingMail, verificationEmail } from '@app/mail';
import type { User } from '@app/users';
import {
  IssuedVerificationToken,
  SendVerificationEmailCommand,
  VerificationNotPendingError,
  VerificationStepClosedError,
  VerificationTokenService,
} from '@app/verification';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StepOutcome } from './onboarding-step.metrics';
import { OnboardingStepRunner, StepSkip, UnitOfUser } from './onboarding-step.runner';
import { stepUnitOf } from './onboarding-steps';
import type { StepMessage } from './step-message';
import { ONBOARDING_STEP_NAMES } from './step-names';

/** One send-verification-email message for the step. */
export interface VerificationMailCommand {
  message: StepMessage;
  command: SendVerificationEmailCommand;
}

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
      const ready = await this.runner.prepare(
        unit,
        async (manager, user) => (await this.issueOrSkip(manager, [{ unit, user }]))[0],
      );
      if ('outcome' in ready) return ready.outcome;
      await this.mail.send(this.mailOf(message, ready.user, ready.prepared));
      // The mail is out: recorded as it is, even if the user was erased meanwhile.
      return this.runner.complete(unit, (manager) => this.tokens.markSent(manager, message.messageId), {
        skipErased: false,
      });
    });
  }

  /**
   * Several mail commands, each of a different user: their tokens issued in one transaction, the mails sent side
   * by side, the sent ones recorded in one transaction.
   * @returns per command, in order, its outcome, or undefined when its mail could not be sent (to run again by
   *   itself, with its retry policy: {@link run} mails the same token under the same Message-ID)
   * @throws when a transaction fails: each command is to run again by itself then
   */
  runMany(commands: readonly VerificationMailCommand[]): Promise<(StepOutcome | undefined)[]> {
    const units = commands.map(({ message, command }) =>
      stepUnitOf(ONBOARDING_STEP_NAMES.sendVerificationEmail, message.messageId, command),
    );
    return this.runner.runMany(units, async () => {
      const ready = await this.runner.prepareMany(units, (manager, items) =>
        this.issueOrSkip(manager, items),
      );
      const outcomes = ready.map((prepared) => ('outcome' in prepared ? prepared.outcome : undefined));
      const toSend = ready.flatMap((prepared, index) => ('outcome' in prepared ? [] : [{ prepared, index }]));
      const sends = await Promise.allSettled(
        toSend.map(({ prepared: { user, prepared }, index }) =>
          this.mail.send(this.mailOf(commands[index].message, user, prepared)),
        ),
      );
      const sent = toSend.filter((_, position) => sends[position].status === 'fulfilled');
      if (sent.length === 0) return outcomes;
      const completed = await this.runner.completeMany(
        sent.map(({ index }) => units[index]),
        async (manager, items) => {
          await this.tokens.markSentMany(
            manager,
            items.map(({ unit }) => unit.messageId),
          );
          return items.map(() => undefined);
        },
        { skipErased: false },
      );
      sent.forEach(({ index }, position) => (outcomes[index] = completed[position]));
      return outcomes;
    });
  }

  /** Per unit, in order, the token of its step message, or a skip when there is none to mail. */
  private async issueOrSkip(
    manager: EntityManager,
    items: readonly UnitOfUser[],
  ): Promise<(IssuedVerificationToken | StepSkip)[]> {
    const issued = await this.tokens.issueForSteps(
      manager,
      items.map(({ unit, user }) => ({ user, stepMessageId: unit.messageId })),
    );
    return issued.map((token) => (token instanceof Error ? skipOf(token) : token));
  }

  private mailOf(message: StepMessage, user: User, token: IssuedVerificationToken): OutgoingMail {
    const url = new URL(`${this.config.publicBaseUrl}/verify-email`);
    url.searchParams.set('token', token.token);
    return verificationEmail({
      messageId: `<${message.messageId}.verification@${this.domain}>`,
      to: user.email,
      firstName: user.firstName,
      verificationUrl: url.toString(),
      expiresAt: token.expiresAt,
    });
  }
}

/** Nothing to mail: recorded as a skip. */
function skipOf(reason: VerificationNotPendingError | VerificationStepClosedError): StepSkip {
  return reason instanceof VerificationNotPendingError
    ? new StepSkip(`the user is ${reason.status}`)
    : new StepSkip(`its token is ${reason.reason}`);
}
