import type { RateLimitPolicyName } from '@app/config';

const RATE_LIMIT_POLICIES = Symbol('rate-limit-policies');

type Target = object;

/** The policies a route (or its controller) is limited by, for the guard and for the OpenAPI document. */
export function rateLimitPoliciesOf(...targets: Target[]): RateLimitPolicyName[] {
  const names = targets.flatMap(
    (target) => (Reflect.getMetadata(RATE_LIMIT_POLICIES, target) as RateLimitPolicyName[] | undefined) ?? [],
  );
  return [...new Set(names)];
}

/** Adds a policy to a class or a method (its function). */
export function recordRateLimitPolicy(target: Target, policy: RateLimitPolicyName): void {
  const names = (Reflect.getMetadata(RATE_LIMIT_POLICIES, target) as RateLimitPolicyName[] | undefined) ?? [];
  Reflect.defineMetadata(RATE_LIMIT_POLICIES, [...names, policy], target);
}
