import { Logger } from '@nestjs/common';
import { MailSender, OutgoingMail } from './outgoing-mail';

/**
 * The development transport, used when no `SMTP_URL` is set (refused with `NODE_ENV=production`): each mail
 * becomes one structured log line of the worker, marked `"transport":"development-log"`, with its text body,
 * so that a developer can follow a verification link from the terminal. Never for real users: the line holds
 * the link, token included.
 */
export class LogMailSender extends MailSender {
  readonly description = 'the worker log (development transport: no SMTP_URL is set)';
  private readonly logger = new Logger('Mail');

  async send(mail: OutgoingMail): Promise<void> {
    this.logger.log({
      transport: 'development-log',
      mail: { messageId: mail.messageId, to: mail.to, subject: mail.subject, text: mail.text },
      msg: `mail to ${mail.to} (development transport): ${mail.subject}`,
    });
  }
}
