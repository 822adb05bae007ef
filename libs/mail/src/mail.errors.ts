import { DomainError, FailureKind } from '@app/errors';

/**
 * The SMTP server did not take a mail. Classified at the edge: a 4xx reply and any connection trouble are
 * transient (try again later); a 5xx reply is permanent (the same mail will be refused again), with the
 * server's reply kept for the dead letter.
 */
export class MailDeliveryError extends DomainError {
  readonly code: 'MAIL_REJECTED' | 'MAIL_DEFERRED' | 'MAIL_SERVER_UNREACHABLE';
  readonly kind: FailureKind;

  constructor(
    readonly responseCode: number | undefined,
    readonly reply: string,
  ) {
    super(
      responseCode === undefined
        ? `the SMTP server could not be reached: ${reply}`
        : `the SMTP server answered ${reply}`,
    );
    if (responseCode === undefined) {
      this.code = 'MAIL_SERVER_UNREACHABLE';
      this.kind = 'transient';
    } else if (responseCode >= 500) {
      this.code = 'MAIL_REJECTED';
      this.kind = 'permanent';
    } else {
      this.code = 'MAIL_DEFERRED';
      this.kind = 'transient';
    }
  }

  /** From what nodemailer rejects with: `responseCode` for an SMTP reply, a `code` like ECONNECTION otherwise. */
  static from(error: unknown): MailDeliveryError {
    const { responseCode, response, message } = (error ?? {}) as {
      responseCode?: unknown;
      response?: unknown;
      message?: unknown;
    };
    const code = typeof responseCode === 'number' && responseCode >= 400 ? responseCode : undefined;
    const reply = typeof response === 'string' && response ? response : String(message ?? error);
    return new MailDeliveryError(code, reply.slice(0, 500));
  }
}
