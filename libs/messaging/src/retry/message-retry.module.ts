import { AppConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { OutageDetector } from './failure-decision';
import { RetryPolicyExplorer } from './retry-policy.explorer';
import { DEFAULT_RETRY_POLICY, OUTAGE_DETECTORS, RetryInterceptor } from './retry.interceptor';

/**
 * The retry interceptor and what it needs: the default policy (`RETRY_*`), the app's outage detectors, and the
 * explorer that collects the handlers' policies into delay tiers. For an app that consumes messages.
 */
@Module({})
export class MessageRetryModule {
  static forRoot(options: { outageDetectors: readonly OutageDetector[] }): DynamicModule {
    return {
      module: MessageRetryModule,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: DEFAULT_RETRY_POLICY,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => config.retry,
        },
        { provide: OUTAGE_DETECTORS, useValue: options.outageDetectors },
        RetryInterceptor,
        RetryPolicyExplorer,
      ],
      exports: [RetryInterceptor, RetryPolicyExplorer, DEFAULT_RETRY_POLICY, OUTAGE_DETECTORS],
    };
  }
}
