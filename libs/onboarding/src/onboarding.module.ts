import { DeadLetterStoreModule } from '@app/dead-letters';
import { UsersModule } from '@app/users';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxMessage } from './inbox-message.entity';
import { InboxRetention } from './inbox-retention';
import { InboxRepository } from './inbox.repository';
import { OnboardingStep } from './onboarding-step.entity';
import { OnboardingTimelineRepository } from './onboarding-timeline.repository';
import { OnboardingTimelineService } from './onboarding-timeline.service';
import { OnboardingService } from './onboarding.service';
import { ProvisionAccountStep } from './steps/provision-account.step';

/**
 * Onboarding and its timeline. OnboardingDeadLetterObserver is not provided here: the worker hands it to
 * DeadLettersModule.forRoot, whose ledger it serves.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InboxMessage, OnboardingStep]), UsersModule, DeadLetterStoreModule],
  providers: [
    OnboardingService,
    OnboardingTimelineService,
    InboxRepository,
    OnboardingTimelineRepository,
    ProvisionAccountStep,
    InboxRetention,
  ],
  exports: [OnboardingService, OnboardingTimelineService, OnboardingTimelineRepository, InboxRetention],
})
export class OnboardingModule {}
