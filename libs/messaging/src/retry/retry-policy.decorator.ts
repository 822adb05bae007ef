import { SetMetadata } from '@nestjs/common';
import type { RetryPolicyOptions } from './retry-policy';

export const RETRY_POLICY_METADATA = 'messaging:retry-policy';

/**
 * Declares a message handler's retry policy, read by {@link RetryInterceptor} (and by the transport, to declare a
 * delay tier for each of its waits). Fields left out take the configured defaults (`RETRY_*`), so that a step
 * states what is its own (more attempts, steeper growth) and tests can still shorten every wait at once.
 *
 * @example
 * \@EventPattern(STEP_NAMES.sendVerificationEmail)
 * \@RetryPolicy({ maxAttempts: 10, factor: 3 })
 * handle(...) {}
 */
export const RetryPolicy = (policy: Partial<RetryPolicyOptions> = {}) =>
  SetMetadata(RETRY_POLICY_METADATA, policy);
