import { AppConfig, type RateLimitPolicyName } from '@app/config';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { RateLimitExceededError } from './rate-limit-exceeded.error';
import { rateLimitHeaders } from './rate-limit.headers';
import { rateLimitPoliciesOf } from './rate-limit.metadata';

interface HeaderReply {
  getHeader(name: string): unknown;
  header(name: string, value: string): unknown;
}

/**
 * @nestjs/throttler's guard, limited to the policies a route names (`@RateLimit`), counted per policy and
 * client across every route of that policy (not per route), answering with the IETF `RateLimit` headers and a
 * coded 429 problem. Other guards (the admin guard) call `consume` to count under their own key, such as a
 * token's digest.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly enabled: boolean;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: AppConfig,
  ) {
    super(options, storage, reflector);
    this.enabled = config.rateLimits.enabled;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    for (const policy of rateLimitPoliciesOf(context.getHandler(), context.getClass())) {
      await this.consume(context, policy);
    }
    return true;
  }

  /**
   * Counts one request under `policy` for `tracker` (the client address by default).
   * @throws RateLimitExceededError once the policy's budget is spent
   */
  async consume(context: ExecutionContext, policy: RateLimitPolicyName, tracker?: string): Promise<void> {
    if (!this.enabled) return;
    const throttler = this.throttlers.find((candidate) => candidate.name === policy);
    if (!throttler) throw new Error(`no rate-limit policy named ${policy}`);
    const limit = throttler.limit as number;
    const ttl = throttler.ttl as number;
    await this.handleRequest({
      context,
      limit,
      ttl,
      blockDuration: ttl,
      throttler,
      getTracker:
        tracker === undefined
          ? (request) => this.getTracker(request as Record<string, unknown>)
          : async () => tracker,
      generateKey: (_context, suffix, name) => createHash('sha256').update(`${name}:${suffix}`).digest('hex'),
    });
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const { req, res } = this.getRequestResponse(context);
    const policy = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, policy);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, policy);
    const headers = rateLimitHeaders({
      policy,
      limit,
      windowSeconds: Math.ceil(ttl / 1000),
      remaining: record.isBlocked ? 0 : limit - record.totalHits,
      resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    });
    appendHeaders(res as HeaderReply, headers);
    if (record.isBlocked) throw new RateLimitExceededError(policy, Math.max(1, record.timeToBlockExpire));
    return true;
  }
}

/** Structured Field lists: a second policy on the same answer is appended, not overwritten. */
function appendHeaders(reply: HeaderReply, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    const existing = reply.getHeader(name);
    reply.header(name, typeof existing === 'string' && existing ? `${existing}, ${value}` : value);
  }
}
