import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { type Algorithm, hash } from '@node-rs/argon2';

// Algorithm.Argon2id; the enum is an ambient const enum, which isolatedModules compilation cannot inline.
const ARGON2ID = 2 as Algorithm;

/**
 * argon2id with the configured cost (OWASP's m=19456 KiB, t=2, p=1 by default). @node-rs/argon2 runs on the libuv
 * thread pool, so hashing never blocks the event loop. The result is a PHC string that records its parameters,
 * so stronger settings later still verify old hashes.
 */
@Injectable()
export class PasswordHasher {
  constructor(private readonly config: AppConfig) {}

  hash(password: string): Promise<string> {
    const { memoryKib, timeCost, parallelism } = this.config.passwordHashing;
    return hash(password, { algorithm: ARGON2ID, memoryCost: memoryKib, timeCost, parallelism });
  }
}
