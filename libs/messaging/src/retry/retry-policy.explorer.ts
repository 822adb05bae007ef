import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RETRY_POLICY_METADATA } from './retry-policy.decorator';
import type { RetryPolicyOptions } from './retry-policy';
import { DEFAULT_RETRY_POLICY } from './retry.interceptor';
import { RetryTiers } from './retry-tiers';

/**
 * Finds every `@RetryPolicy` on the app's message handlers, so that the transport declares a delay tier for each
 * wait any of them can ask for (plus those of the default policy).
 */
@Injectable()
export class RetryPolicyExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(DEFAULT_RETRY_POLICY) private readonly defaults: RetryPolicyOptions,
  ) {}

  policies(): RetryPolicyOptions[] {
    const found: RetryPolicyOptions[] = [this.defaults];
    for (const wrapper of this.discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const declared = this.reflector.get<Partial<RetryPolicyOptions> | undefined>(
          RETRY_POLICY_METADATA,
          method,
        );
        if (declared) found.push({ ...this.defaults, ...declared });
      }
    }
    return found;
  }

  tiers(): RetryTiers {
    return RetryTiers.fromPolicies(this.policies());
  }
}
