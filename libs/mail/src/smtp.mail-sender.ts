import { createTransport, Transporter } from 'nodemailer';
import { MailDeliveryError } from './mail.errors';
import { MailSender, OutgoingMail } from './outgoing-mail';

/** Mail over SMTP (nodemailer), to the server in `SMTP_URL`, from `MAIL_FROM`. */
export class SmtpMailSender extends MailSender {
  readonly description: string;
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    const url = new URL(smtpUrl);
    this.description = `SMTP at ${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
    // A mail waits neither long for a connection nor for a slow server: the step's retries take over.
    this.transport = createTransport(smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as never);
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    } catch (error) {
      throw MailDeliveryError.from(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}
