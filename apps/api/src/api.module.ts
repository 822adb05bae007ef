import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeadLetterStoreModule, DeadLettersModule } from '@app/dead-letters';
import { createValidationPipe, ProblemDetailsFilter } from '@app/http-problems';
import { IdempotencyModule } from '@app/idempotency';
import { MessagingModule } from '@app/messaging';
import { AppOptions, LoggingModule, MetricsModule } from '@app/observability';
import { DeliverWebhookScheduler, OnboardingModule } from '@app/onboarding';
import { OutboxModule, OutboxRelayModule } from '@app/outbox';
import { RateLimitingModule } from '@app/rate-limiting';
import { UsersModule } from '@app/users';
import { VerificationModule } from '@app/verification';
import { WebhooksModule } from '@app/webhooks';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AdminTokenGuard } from './auth/admin-token.guard';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { HealthController } from './health/health.controller';
import { OnboardingController } from './onboarding/onboarding.controller';
import { BacklogMetrics } from './metrics/backlog.metrics';
import { MetricsPortServer } from './metrics/metrics-port.server';
import { DeadLetterGroupsController } from './stats/dead-letter-groups.controller';
import { DeadLetterGroupsRepository } from './stats/dead-letter-groups.repository';
import { DeadLetterGroupStatistics } from './stats/dead-letter-groups.statistics';
import { FunnelController } from './stats/funnel.controller';
import { FunnelRepository } from './stats/funnel.repository';
import { FunnelStatistics } from './stats/funnel.statistics';
import { EmailVerificationController } from './users/email-verification.controller';
import { VerificationPageController } from './verification-page/verification-page.controller';
import { UsersController } from './users/users.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

/** The REST API: users, dead letters, webhooks, health, and the outbox relay that publishes what the API writes. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('api', options.logDestination),
        DatabaseModule,
        MessagingModule.forRoot('onboarding-api'),
        OutboxRelayModule,
        UsersModule,
        VerificationModule,
        // The timeline and retries of failed steps; the steps themselves run in the worker.
        OnboardingModule,
        // The API replays and discards; only the worker records, so no observers here.
        DeadLettersModule.forRoot(),
        TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false }),
        MetricsModule.forRoot('api'),
        DeadLetterStoreModule,
        RateLimitingModule,
        IdempotencyModule,
        // Endpoints, secrets, the delivery log; a redelivery is scheduled as a deliver-webhook step.
        WebhooksModule.forRoot({
          imports: [OnboardingModule, OutboxModule],
          scheduler: DeliverWebhookScheduler,
        }),
      ],
      controllers: [
        UsersController,
        EmailVerificationController,
        VerificationPageController,
        OnboardingController,
        DeadLettersController,
        // Read-only views for operators (the console): the funnel, dead letters grouped.
        DeadLetterGroupsController,
        FunnelController,
        WebhooksController,
        HealthController,
      ],
      providers: [
        AdminTokenGuard,
        BacklogMetrics,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
        MetricsPortServer,
        FunnelRepository,
        FunnelStatistics,
        DeadLetterGroupsRepository,
        DeadLetterGroupStatistics,
      ],
    };
  }
}
