import { MailModule } from '@app/mail';
import { OutboxModule } from '@app/outbox';
import { UsersModule } from '@app/users';
import { VerificationModule } from '@app/verification';
import { WebhookDeliveryModule } from '@app/webhooks';
import { Module } from '@nestjs/common';
import { OnboardingModule } from '../onboarding.module';
import { DeliverWebhookStep } from './deliver-webhook.step';
import { OnboardingStepMetrics } from './onboarding-step.metrics';
import { OnboardingStepRunner } from './onboarding-step.runner';
import { ProvisionAccountStep } from './provision-account.step';
import { SendVerificationEmailStep } from './send-verification-email.step';

/** The onboarding steps, for the worker (one class per step; their message handlers are in the worker app). */
@Module({
  imports: [
    OnboardingModule,
    UsersModule,
    OutboxModule,
    VerificationModule,
    MailModule,
    WebhookDeliveryModule,
  ],
  providers: [
    OnboardingStepRunner,
    OnboardingStepMetrics,
    ProvisionAccountStep,
    SendVerificationEmailStep,
    DeliverWebhookStep,
  ],
  exports: [
    OnboardingStepRunner,
    OnboardingStepMetrics,
    ProvisionAccountStep,
    SendVerificationEmailStep,
    DeliverWebhookStep,
  ],
})
export class OnboardingStepsModule {}
