import { MailModule } from '@app/mail';
import { OutboxModule } from '@app/outbox';
import { UsersModule } from '@app/users';
import { VerificationModule } from '@app/verification';
import { Module } from '@nestjs/common';
import { OnboardingModule } from '../onboarding.module';
import { OnboardingStepMetrics } from './onboarding-step.metrics';
import { OnboardingStepRunner } from './onboarding-step.runner';
import { ProvisionAccountStep } from './provision-account.step';
import { SendVerificationEmailStep } from './send-verification-email.step';

/** The onboarding steps, for the worker (one class per step; their message handlers are in the worker app). */
@Module({
  imports: [OnboardingModule, UsersModule, OutboxModule, VerificationModule, MailModule],
  providers: [OnboardingStepRunner, OnboardingStepMetrics, ProvisionAccountStep, SendVerificationEmailStep],
  exports: [OnboardingStepRunner, OnboardingStepMetrics, ProvisionAccountStep, SendVerificationEmailStep],
})
export class OnboardingStepsModule {}
