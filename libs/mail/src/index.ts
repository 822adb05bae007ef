export * from './log.mail-sender';
export * from './mail.errors';
export * from './mail.module';
export * from './outgoing-mail';
export * from './smtp.mail-sender';
export * from './templates/verification-email.template';
