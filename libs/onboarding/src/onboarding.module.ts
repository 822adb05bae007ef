import { DeadLetterStoreModule } from '@app/dead-letters';
import { OutboxModule } from '@app/outbox';
import { UsersModule } from '@app/users';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxMessage } from './inbox/inbox-message.entity';
import { InboxRetention } from './inbox/inbox-retention';
import { InboxRepository } from './inbox/inbox.repository';
import { OnboardingStatusUpdater } from './onboarding-status.updater';
import { OnboardingStepRetryService } from './retry/onboarding-step-retry.service';
import { OnboardingStep } from './timeline/onboarding-step.entity';
import { OnboardingTimelineRepository } from './timeline/onboarding-timeline.repository';
import { OnboardingTimelineService } from './timeline/onboarding-timeline.service';

/**
 * Onboarding's records, for both apps: the inbox, the timeline, the user's onboarding status, and retrying a
 * failed step. The steps themselves run in the worker (OnboardingStepsModule). OnboardingDeadLetterObserver is
 * not provided here: the worker hands it to DeadLettersModule.forRoot, whose ledger it serves.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([InboxMessage, OnboardingStep]),
    UsersModule,
    DeadLetterStoreModule,
    OutboxModule,
  ],
  providers: [
    InboxRepository,
    InboxRetention,
    OnboardingTimelineRepository,
    OnboardingStatusUpdater,
    OnboardingTimelineService,
    OnboardingStepRetryService,
  ],
  exports: [
    InboxRepository,
    InboxRetention,
    OnboardingTimelineRepository,
    OnboardingStatusUpdater,
    OnboardingTimelineService,
    OnboardingStepRetryService,
  ],
})
export class OnboardingModule {}
