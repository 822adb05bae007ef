/**
 * A sleep that can be cut short, for one sleeper at a time (the relay loop). A wake-up that arrives while nobody sleeps is remembered, so a notification
 * that lands during a batch makes the next sleep return at once instead of being lost.
 */
export class Wakeup {
  private pending = false;
  private resolveSleep?: () => void;

  wake(): void {
    if (this.resolveSleep) this.resolveSleep();
    else this.pending = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.resolveSleep === done) this.resolveSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolveSleep = done;
    });
  }
}
