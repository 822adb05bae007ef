/** The handlers running right now, so that a shutdown can wait for them (up to a deadline). */
export class InFlight {
  private readonly tasks = new Set<Promise<unknown>>();

  get size(): number {
    return this.tasks.size;
  }

  run(task: () => Promise<void>): Promise<void> {
    const running = task();
    this.tasks.add(running);
    return running.finally(() => this.tasks.delete(running));
  }

  /** @returns how many were still running at the deadline */
  async drain(timeoutMs: number): Promise<number> {
    if (this.tasks.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled([...this.tasks]), deadline]);
    clearTimeout(timer);
    return outcome === 'timeout' ? this.tasks.size : 0;
  }
}
