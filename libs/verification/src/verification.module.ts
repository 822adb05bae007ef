import { OutboxModule } from '@app/outbox';
import { SecretsModule } from '@app/secrets';
import { UsersModule } from '@app/users';
import { Module } from '@nestjs/common';
import { EmailVerificationService } from './email-verification.service';
import { VerificationTokenRepository } from './verification-token.repository';
import { VerificationTokenService } from './verification-token.service';

/**
 * Email verification: tokens for the worker's mail step (VerificationTokenService) and, for the API, verifying
 * with a token, asking for a new mail, and verification by an admin (EmailVerificationService).
 */
@Module({
  imports: [UsersModule, OutboxModule, SecretsModule],
  providers: [VerificationTokenRepository, VerificationTokenService, EmailVerificationService],
  exports: [VerificationTokenService, EmailVerificationService],
})
export class VerificationModule {}
