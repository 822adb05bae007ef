import { UsersModule } from '@app/users';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxMessage } from './inbox-message.entity';
import { InboxRepository } from './inbox.repository';
import { OnboardingStep } from './onboarding-step.entity';
import { OnboardingTimelineRepository } from './onboarding-timeline.repository';
import { OnboardingService } from './onboarding.service';
import { ProvisionAccountStep } from './steps/provision-account.step';

@Module({
  imports: [TypeOrmModule.forFeature([InboxMessage, OnboardingStep]), UsersModule],
  providers: [OnboardingService, InboxRepository, OnboardingTimelineRepository, ProvisionAccountStep],
  exports: [OnboardingService, OnboardingTimelineRepository],
})
export class OnboardingModule {}
