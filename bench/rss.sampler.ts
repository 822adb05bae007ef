import type { AppProcess } from './app.process';

/** Peak resident memory per process over a scenario, in MiB. */
export type RssPeaks = Record<string, number>;

/**
 * Samples the resident set size of the app processes every `intervalMs` during a scenario and keeps the peak.
 * (VmHWM would give the lifetime peak only; a per-scenario peak needs sampling.)
 */
export class RssSampler {
  private readonly peaksKib = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly processes: readonly AppProcess[],
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): RssPeaks {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(
      [...this.peaksKib].map(([name, kib]) => [name, Math.round((kib / 1024) * 10) / 10]),
    );
  }

  private sample(): void {
    for (const process of this.processes) {
      const kib = process.rssKib();
      if (kib !== undefined)
        this.peaksKib.set(process.name, Math.max(kib, this.peaksKib.get(process.name) ?? 0));
    }
  }
}
