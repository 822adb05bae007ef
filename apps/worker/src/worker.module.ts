import { AppConfig, ConfigModule } from '@app/config';
import { databaseOutageOf, DatabaseModule } from '@app/database';
import { DeadLettersModule } from '@app/dead-letters';
import { ProblemDetailsFilter } from '@app/http-problems';
import { MessageRetryModule, MessagingModule } from '@app/messaging';
import { AppOptions, LoggingModule, MetricsModule } from '@app/observability';
import { OnboardingDeadLetterObserver, OnboardingModule, OnboardingStepsModule } from '@app/onboarding';
import { OutboxRelayModule } from '@app/outbox';
import { WebhookDeadLetterObserver, WebhookStoreModule } from '@app/webhooks';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { DeadLetterHandler } from './dead-letters/dead-letter.handler';
import { HealthController } from './health/health.controller';
import { ProvisionAccountBatch } from './onboarding/provision-account.batch';
import { ProvisionAccountHandler } from './onboarding/provision-account.handler';
import { SendVerificationEmailBatch } from './onboarding/send-verification-email.batch';
import { SendVerificationEmailHandler } from './onboarding/send-verification-email.handler';
import { RetentionJob } from './retention/retention.job';
import { DeliverWebhookHandler } from './webhooks/deliver-webhook.handler';
import { WebhookFanoutHandler } from './webhooks/webhook-fanout.handler';
import { workerConsumerProvider } from './worker.consumer';

/**
 * The worker: a message handler per onboarding step and one for the dead-letter queue, the outbox relay (the
 * steps schedule what follows through the outbox, like the API), retention, and an HTTP server for its probes.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('worker', options.logDestination),
        DatabaseModule,
        MessagingModule.forRoot('onboarding-worker-publisher'),
        // Every handler runs behind the RetryInterceptor; a PostgreSQL outage pauses consuming instead.
        MessageRetryModule.forRoot({ outageDetectors: [databaseOutageOf] }),
        OnboardingModule,
        OnboardingStepsModule,
        OutboxRelayModule,
        // A step's dead-lettered message fails its unit (and the onboarding), in the ledger's transaction.
        // A dead-lettered webhook delivery also ends failed in the delivery log.
        DeadLettersModule.forRoot({
          imports: [OnboardingModule, WebhookStoreModule],
          observers: [OnboardingDeadLetterObserver, WebhookDeadLetterObserver],
        }),
        TerminusModule.forRoot({ logger: false }),
        MetricsModule.forRoot('worker'),
      ],
      controllers: [
        ProvisionAccountHandler,
        SendVerificationEmailHandler,
        DeliverWebhookHandler,
        WebhookFanoutHandler,
        DeadLetterHandler,
        HealthController,
      ],
      // HTTP errors (the probes' 503s) as problem+json, like the API's; message handlers have their own filter.
      providers: [
        workerConsumerProvider,
        ProvisionAccountBatch,
        SendVerificationEmailBatch,
        RetentionJob,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
