import type { RateLimitPolicyName } from '@app/config';
import { applyDecorators, UseGuards } from '@nestjs/common';
import { recordRateLimitPolicy } from './rate-limit.metadata';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * Limits a route (or every route of a controller) by a named policy, per client address: one line on the
 * route, `@RateLimit('verification')`. The policies and their limits are configuration (`RATE_LIMIT_*`); the
 * OpenAPI document gets the 429 answer and the `RateLimit` headers from this decorator. Several decorators
 * stack (each policy is counted on its own).
 */
export function RateLimit(policy: RateLimitPolicyName): ClassDecorator & MethodDecorator {
  return applyDecorators(
    (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) =>
      recordRateLimitPolicy((descriptor?.value as object | undefined) ?? target, policy),
    UseGuards(RateLimitGuard),
  );
}
