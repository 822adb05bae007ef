import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type IdempotencyClaim, IdempotencyStore, type StoredResponse } from './idempotency.store';
import { requestFingerprint } from './request-fingerprint';

/**
 * Writes the answer inside the work's transaction. The work gets none without an idempotency key, so that it
 * can skip the transaction it would need only for this.
 */
export type RecordAnswer = (manager: EntityManager, response: StoredResponse) => Promise<void>;

export interface IdempotentOutcome extends StoredResponse {
  /** The answer is the stored one of an earlier request with the same key. */
  replayed: boolean;
}

/**
 * `Idempotency-Key` semantics (draft-ietf-httpapi-idempotency-key-header-07) for a route whose work commits
 * one transaction: the first request with a key claims it, does the work and records its answer in the
 * work's own transaction; the same key with the same request (by fingerprint) within IDEMPOTENCY_KEY_TTL_HOURS
 * gets that answer again, with no second effect; with another request, 422; while the first is in flight,
 * 409. Work that fails commits nothing and gives the key back, so a retry does the work then.
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly config: AppConfig,
  ) {}

  async run(
    scope: string,
    key: string | undefined,
    request: unknown,
    work: (record: RecordAnswer | undefined) => Promise<StoredResponse>,
  ): Promise<IdempotentOutcome> {
    if (key === undefined) return { ...(await work(undefined)), replayed: false };
    const fingerprint = requestFingerprint(this.config.idempotency.fingerprintKey, request);
    const outcome = await this.store.claim(scope, key, fingerprint, this.config.idempotency.ttlHours);
    if ('replay' in outcome) return { ...outcome.replay, replayed: true };
    const claim: IdempotencyClaim = outcome.claimed;
    try {
      return {
        ...(await work((manager, response) => this.store.complete(manager, claim, response))),
        replayed: false,
      };
    } catch (error) {
      await this.store.release(claim).catch(() => undefined);
      throw error;
    }
  }
}
