import { AppConfig } from '@app/config';
import { Logger, Module } from '@nestjs/common';
import { LogMailSender } from './log.mail-sender';
import { MailSender } from './outgoing-mail';
import { SmtpMailSender } from './smtp.mail-sender';

/** Raised at boot: production must send real mail. */
export class MailNotConfiguredError extends Error {
  constructor() {
    super('SMTP_URL must be set when NODE_ENV=production (the development log transport is refused)');
    this.name = 'MailNotConfiguredError';
  }
}

/**
 * The app's MailSender: SMTP when `SMTP_URL` is set; otherwise the development log transport, said so at boot,
 * and refused (the app does not start) with `NODE_ENV=production`.
 */
@Module({
  providers: [
    {
      provide: MailSender,
      inject: [AppConfig],
      useFactory: (config: AppConfig): MailSender => {
        const { smtpUrl, from } = config.mail;
        if (!smtpUrl && config.isProduction) throw new MailNotConfiguredError();
        const sender = smtpUrl ? new SmtpMailSender(smtpUrl, from) : new LogMailSender();
        const logger = new Logger('Mail');
        if (smtpUrl) logger.log(`mail goes out through ${sender.description}`);
        else logger.warn(`mail goes to ${sender.description}; set SMTP_URL to send real mail`);
        return sender;
      },
    },
  ],
  exports: [MailSender],
})
export class MailModule {}
