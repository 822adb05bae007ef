import { DELIVER_WEBHOOK_COMMAND } from '@app/webhooks';
import { onboardingStep, stepUnitOf } from './onboarding-steps';
import { ONBOARDING_STEP_NAMES } from './step-names';

describe('the deliver-webhook step in the registry', () => {
  const command = {
    deliveryId: '9a1e5c3b-7d2f-4b6a-8e1c-2f4d6b8a0c3e',
    endpointId: '3d6f2b8e-1c4a-4f7e-9b2d-5a8c1e3f7b90',
    userId: '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f',
    eventType: 'user.registered',
    eventMessageId: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d',
  };

  it('when the webhooks library names its command, then it is the step’s name (its queue and routing key)', () => {
    expect(DELIVER_WEBHOOK_COMMAND).toBe(ONBOARDING_STEP_NAMES.deliverWebhook);
    expect(onboardingStep(ONBOARDING_STEP_NAMES.deliverWebhook)).toMatchObject({
      startedBy: [],
      required: false,
    });
  });

  it('when two messages deliver the same endpoint and event (a redelivery), then they run the same unit, which never counts', () => {
    const first = stepUnitOf(ONBOARDING_STEP_NAMES.deliverWebhook, 'message-1', command);
    const again = stepUnitOf(ONBOARDING_STEP_NAMES.deliverWebhook, 'message-2', command);

    expect(first).toEqual({
      userId: command.userId,
      step: 'deliver-webhook',
      unit: `${command.endpointId}:${command.eventMessageId}`,
      required: false,
      messageId: 'message-1',
      detail: {
        endpointId: command.endpointId,
        eventType: 'user.registered',
        deliveryId: command.deliveryId,
      },
    });
    expect(again.unit).toBe(first.unit);
  });

  it('when a payload lacks the endpoint or the event, then it has no unit (a poison message is not onboarding’s)', () => {
    expect(onboardingStep('deliver-webhook')?.unitOf('m', { userId: command.userId })).toBeUndefined();
  });
});
