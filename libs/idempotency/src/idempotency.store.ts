import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { IdempotencyKey } from './idempotency-key.entity';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors';

/** An answer kept for replay. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A key this request holds while it does the work. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  token: string;
}

export type ClaimOutcome = { claimed: IdempotencyClaim } | { replay: StoredResponse };

/**
 * How long an `in_flight` claim stays exclusive. A request that crashed after claiming blocks its key (409)
 * for this long at most; one still running after it loses the claim and fails rather than answer twice.
 */
const LEASE_MS = 60_000;

/** The idempotency keys table; every method is one statement. */
@Injectable()
export class IdempotencyStore {
  constructor(@InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>) {}

  /**
   * Claims the key for this request, or finds the answer to replay. An expired row, or an abandoned claim of
   * the same request, is taken over.
   * @throws IdempotencyKeyReusedError when the key belongs to another request
   * @throws IdempotencyKeyInUseError while another request holds the key
   */
  async claim(scope: string, key: string, fingerprint: string, ttlHours: number): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      const claimed: unknown[] = await this.keys.query(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, status, claim_token, locked_until, expires_at)
         VALUES ($1, $2, $3, 'in_flight', $4, now() + $5 * interval '1 millisecond', now() + $6 * interval '1 hour')
         ON CONFLICT (scope, key) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, status = 'in_flight', claim_token = EXCLUDED.claim_token,
           locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = now(),
           response_status = NULL, response_headers = NULL, response_body = NULL
         WHERE idempotency_keys.expires_at <= now()
            OR (idempotency_keys.status = 'in_flight' AND idempotency_keys.locked_until <= now()
                AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
         RETURNING claim_token`,
        [scope, key, fingerprint, token, LEASE_MS, ttlHours],
      );
      if (claimed.length > 0) return { claimed: { scope, key, token } };
      const existing = await this.keys.findOneBy({ scope, key });
      // Released between the two statements: try again.
      if (!existing) continue;
      if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (existing.status === 'in_flight') throw new IdempotencyKeyInUseError();
      return {
        replay: {
          status: existing.responseStatus ?? 200,
          headers: existing.responseHeaders ?? {},
          body: existing.responseBody,
        },
      };
    }
    throw new IdempotencyKeyInUseError();
  }

  /**
   * Records the answer inside the caller's transaction, so that the answer is kept if and only if the work
   * commits.
   * @throws IdempotencyKeyInUseError when the claim was lost (its lease ran out and another request took it)
   */
  async complete(manager: EntityManager, claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({
        status: 'completed',
        responseStatus: response.status,
        responseHeaders: response.headers,
        responseBody: () => ':body::jsonb',
      })
      .setParameter('body', JSON.stringify(response.body))
      .where('scope = :scope AND key = :key AND claim_token = :token AND status = :inFlight', {
        ...claim,
        inFlight: 'in_flight',
      })
      .execute();
    if (!result.affected) throw new IdempotencyKeyInUseError();
  }

  /** Gives the key back after the work failed (nothing was committed), so that a retry runs it again. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.keys.delete({
      scope: claim.scope,
      key: claim.key,
      claimToken: claim.token,
      status: 'in_flight',
    });
  }

  /** Deletes up to `batch` expired keys; returns how many. */
  async purgeExpired(batch = 1000): Promise<number> {
    const result = await this.keys
      .createQueryBuilder()
      .delete()
      .where('ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT :batch)', { batch })
      .execute();
    return result.affected ?? 0;
  }
}
