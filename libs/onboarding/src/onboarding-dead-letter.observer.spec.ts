import type { RecordedDeadLetter } from '@app/dead-letters';
import type { EntityManager } from 'typeorm';
import { OnboardingDeadLetterObserver } from './onboarding-dead-letter.observer';
import type { OnboardingStatusUpdater } from './onboarding-status.updater';
import type { OnboardingTimelineRepository } from './timeline/onboarding-timeline.repository';

const USER_ID = '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f';
const manager = {} as EntityManager;

function observe(overrides: Partial<RecordedDeadLetter>) {
  const markDeadLettered = jest.fn().mockResolvedValue(true);
  const refresh = jest.fn().mockResolvedValue('failed');
  const observer = new OnboardingDeadLetterObserver(
    { markDeadLettered } as unknown as OnboardingTimelineRepository,
    { refresh } as unknown as OnboardingStatusUpdater,
  );
  const deadLetter: RecordedDeadLetter = {
    messageId: 'm-1',
    type: 'user.registered',
    routingKey: 'user.registered',
    payload: { userId: USER_ID, registeredAt: '2026-11-24T10:00:00.000Z' },
    errorCode: 'HANDLER_FAILED',
    errorMessage: 'provisioning is down',
    queue: 'onboarding.step.provision-account',
    ...overrides,
  };
  return { run: () => observer.onDeadLettered(manager, deadLetter), markDeadLettered, refresh };
}

describe('OnboardingDeadLetterObserver', () => {
  it("when a step's message is dead-lettered, then that step's unit fails with the error and the status is refreshed", async () => {
    const { run, markDeadLettered, refresh } = observe({});

    await run();

    expect(markDeadLettered).toHaveBeenCalledWith(
      manager,
      expect.objectContaining({ userId: USER_ID, step: 'provision-account', unit: '', required: true }),
      'HANDLER_FAILED: provisioning is down',
    );
    expect(refresh).toHaveBeenCalledWith(manager, USER_ID);
  });

  it('when a resent mail is dead-lettered, then its own unit fails, one that does not count towards onboarding', async () => {
    const { run, markDeadLettered } = observe({
      messageId: 'm-resend',
      queue: 'onboarding.step.send-verification-email',
      payload: { userId: USER_ID, reason: 'resend', requestedAt: '2026-11-24T10:00:00.000Z' },
    });

    await run();

    expect(markDeadLettered).toHaveBeenCalledWith(
      manager,
      expect.objectContaining({ step: 'send-verification-email', unit: 'm-resend', required: false }),
      expect.any(String),
    );
  });

  it.each([
    ['a queue that is no step', { queue: 'onboarding.webhooks' }],
    ['no queue at all', { queue: null }],
    ['a body that is not JSON', { payload: null }],
    ['a JSON string', { payload: 'just a string' }],
    ['no userId', { payload: { registeredAt: '2026-11-24T10:00:00.000Z' } }],
    ['a userId that is not a UUID', { payload: { userId: 'not-a-uuid' } }],
    ['a numeric userId', { payload: { userId: 42 } }],
  ])(
    'when the dead letter has %s, then onboarding is left alone (and nothing throws)',
    async (_case, overrides) => {
      const { run, markDeadLettered, refresh } = observe(overrides);

      await run();

      expect(markDeadLettered).not.toHaveBeenCalled();
      expect(refresh).not.toHaveBeenCalled();
    },
  );
});
