import { MailModule } from '@app/mail';
import { OutboxModule } from '@app/outbox';
import { UsersModule } from '@app/users';
import { VerificationModule } from '@app/verification';
import { WebhookDeliveryModule, WebhooksModule } from '@app/webhooks';
import { Module } from '@nestjs/common';
import { OnboardingModule } from '../onboarding.module';
import { DeliverWebhookScheduler } from './deliver-webhook.scheduler';
import { DeliverWebhookStep } from './deliver-webhook.step';
import { OnboardingStepMetrics } from './onboarding-step.metrics';
import { OnboardingStepRunner } from './onboarding-step.runner';
import { ProvisionAccountStep } from './provision-account.step';
import { SendVerificationEmailStep } from './send-verification-email.step';

/**
 * The onboarding steps, for the worker (one class per step; their message handlers are in the worker app), and
 * the webhook fan-out (provision-account and the fan-out's own queue schedule deliver-webhook steps with it).
 */
@Module({
  imports: [
    OnboardingModule,
    UsersModule,
    OutboxModule,
    VerificationModule,
    MailModule,
    WebhookDeliveryModule,
    WebhooksModule.forRoot({ imports: [OnboardingModule, OutboxModule], scheduler: DeliverWebhookScheduler }),
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
    WebhooksModule,
  ],
})
export class OnboardingStepsModule {}
