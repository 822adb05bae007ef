import type { RecordedDeadLetter } from '@app/dead-letters';
import type { EntityManager } from 'typeorm';
import { OnboardingDeadLetterObserver } from './onboarding-dead-letter.observer';
import type { OnboardingService } from './onboarding.service';

const USER_ID = '0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f';
const manager = {} as EntityManager;

function observe(overrides: Partial<RecordedDeadLetter>) {
  const onDeadLettered = jest.fn<Promise<void>, Parameters<OnboardingService['onDeadLettered']>>();
  onDeadLettered.mockResolvedValue(undefined);
  const observer = new OnboardingDeadLetterObserver({ onDeadLettered } as unknown as OnboardingService);
  const deadLetter: RecordedDeadLetter = {
    messageId: 'm-1',
    type: 'user.registered',
    routingKey: 'user.registered',
    payload: { userId: USER_ID, registeredAt: '2026-11-24T10:00:00.000Z' },
    errorCode: 'HANDLER_FAILED',
    errorMessage: 'provisioning is down',
    ...overrides,
  };
  return { run: () => observer.onDeadLettered(manager, deadLetter), onDeadLettered };
}

describe('OnboardingDeadLetterObserver', () => {
  it("when a user's user.registered is dead-lettered, then the user's onboarding fails with the error", async () => {
    const { run, onDeadLettered } = observe({});

    await run();

    expect(onDeadLettered).toHaveBeenCalledWith(manager, USER_ID, 'HANDLER_FAILED', 'provisioning is down');
  });

  it.each([
    ['another event type', { type: 'user.erased' }],
    ['a body that is not JSON', { payload: null }],
    ['a JSON string', { payload: 'just a string' }],
    ['no userId', { payload: { registeredAt: '2026-11-24T10:00:00.000Z' } }],
    ['a userId that is not a UUID', { payload: { userId: 'not-a-uuid' } }],
    ['a numeric userId', { payload: { userId: 42 } }],
  ])(
    'when the dead letter has %s, then onboarding is left alone (and nothing throws)',
    async (_case, overrides) => {
      const { run, onDeadLettered } = observe(overrides);

      await run();

      expect(onDeadLettered).not.toHaveBeenCalled();
    },
  );
});
