import { useState } from 'preact/hooks';

/** What the page's last action came to: a message saying what was done, or the error it failed with. */
export interface ActionOutcome {
  message: string | undefined;
  error: unknown;
  /**
   * Runs `action`; shows what it resolves with as the message (nothing when undefined), or the error it throws.
   * @returns whether it succeeded
   */
  run: (action: () => Promise<string | undefined>) => Promise<boolean>;
  /** Shows the error of something else the page did (the message stays). */
  fail: (error: unknown) => void;
}

export function useAction(): ActionOutcome {
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (action: () => Promise<string | undefined>) => {
    setError(undefined);
    setMessage(undefined);
    try {
      setMessage(await action());
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  };
  return { message, error, run, fail: setError };
}
