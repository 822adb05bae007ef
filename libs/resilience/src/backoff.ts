/**
 * Delays for reconnect loops: exponential growth with "equal jitter" (each delay is random between half the
 * ceiling and the ceiling), so replicas do not retry in lock-step yet never retry at once.
 */
export interface Backoff {
  next(): number;
  reset(): void;
}

export function exponentialBackoff(options: { initialMs: number; maxMs: number; factor?: number }): Backoff {
  const factor = options.factor ?? 2;
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(options.maxMs, options.initialMs * factor ** attempt);
      attempt += 1;
      return ceiling / 2 + (Math.random() * ceiling) / 2;
    },
    reset() {
      attempt = 0;
    },
  };
}
