export * from './email-verification.service';
export * from './send-verification-email.command';
export * from './verification-token.generator';
export * from './verification-token.repository';
export * from './verification-token.service';
export * from './verification.errors';
export * from './verification.module';
