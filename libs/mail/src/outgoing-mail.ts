/** One mail to send. `messageId` is stable per logical mail, so that a receiver can drop a repeat. */
export interface OutgoingMail {
  /** The `Message-ID` header, with its angle brackets: `<…@…>`. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail. `send` resolves once the transport has accepted the mail (the SMTP server said 250). */
export abstract class MailSender {
  /** For the boot log line: which transport this is. */
  abstract readonly description: string;

  /** @throws MailDeliveryError (transient or permanent, with the server's reply) */
  abstract send(mail: OutgoingMail): Promise<void>;
}
