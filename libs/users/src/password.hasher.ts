import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { type Algorithm, hash } from '@node-rs/argon2';
import { PasswordHashingOverloadedError } from './password-hashing-overloaded.error';

// Algorithm.Argon2id; the enum is an ambient const enum, which isolatedModules compilation cannot inline.
const ARGON2ID = 2 as Algorithm;

/**
 * argon2id with the configured cost (OWASP's m=19456 KiB, t=2, p=1 by default). @node-rs/argon2 runs on the libuv
 * thread pool, so hashing never blocks the event loop. The result is a PHC string that records its parameters,
 * so stronger settings later still verify old hashes.
 *
 * The thread pool has a few threads (UV_THREADPOOL_SIZE, 4 by default) and an unbounded queue: at most
 * ARGON2_MAX_PENDING hashes may be running or waiting in this process, and one more is refused at once with
 * PasswordHashingOverloadedError (503 with Retry-After), so latency and memory stay bounded under a burst.
 */
@Injectable()
export class PasswordHasher {
  private pending = 0;

  constructor(private readonly config: AppConfig) {}

  /** Hashes in flight or queued right now. */
  get inFlight(): number {
    return this.pending;
  }

  /** @throws PasswordHashingOverloadedError when ARGON2_MAX_PENDING hashes are pending already */
  async hash(password: string): Promise<string> {
    const { memoryKib, timeCost, parallelism, maxPending } = this.config.passwordHashing;
    if (this.pending >= maxPending) throw new PasswordHashingOverloadedError(this.pending);
    this.pending++;
    try {
      return await hash(password, { algorithm: ARGON2ID, memoryCost: memoryKib, timeCost, parallelism });
    } finally {
      this.pending--;
    }
  }
}
