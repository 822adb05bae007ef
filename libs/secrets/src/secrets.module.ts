import { Module } from '@nestjs/common';
import { SecretBox } from './secret-box';

/** Encryption of secrets at rest. Importing it checks the key at boot (a production app refuses to start without one). */
@Module({ providers: [SecretBox], exports: [SecretBox] })
export class SecretsModule {}
