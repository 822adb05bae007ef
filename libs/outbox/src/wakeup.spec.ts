import { Wakeup } from './wakeup';

/** Whether the promise has settled once pending microtasks have run (no wall-clock time passes). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

describe('Wakeup', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('when nobody wakes it, then the sleep lasts until its timeout and no longer', async () => {
    const wakeup = new Wakeup();
    const sleep = wakeup.sleep(1_000);

    jest.advanceTimersByTime(999);
    const beforeTimeout = await isSettled(sleep);
    jest.advanceTimersByTime(1);
    const atTimeout = await isSettled(sleep);

    expect(beforeTimeout).toBe(false);
    expect(atTimeout).toBe(true);
  });

  it('when woken during a sleep, then the sleep ends at once and its timer is cleared', async () => {
    const wakeup = new Wakeup();
    const sleep = wakeup.sleep(60_000);

    wakeup.wake();

    await expect(isSettled(sleep)).resolves.toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('when woken while nobody sleeps, then the next sleep returns at once, but only that one', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();

    const first = wakeup.sleep(1_000);
    const second = wakeup.sleep(1_000);

    await expect(isSettled(first)).resolves.toBe(true);
    await expect(isSettled(second)).resolves.toBe(false);
  });

  it('when woken several times while nobody sleeps, then only one sleep is skipped', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    wakeup.wake();

    await wakeup.sleep(1_000);
    const next = wakeup.sleep(1_000);

    await expect(isSettled(next)).resolves.toBe(false);
  });

  it('when a sleep timed out, then a later wake is remembered for the next sleep', async () => {
    const wakeup = new Wakeup();
    const sleep = wakeup.sleep(1_000);
    jest.advanceTimersByTime(1_000);
    await sleep;

    wakeup.wake();
    const next = wakeup.sleep(1_000);

    await expect(isSettled(next)).resolves.toBe(true);
  });
});
