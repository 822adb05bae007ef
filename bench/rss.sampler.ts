import type { AppProcess } from './app.process';

/** Peak resident memory per process over a scenario, in MiB. */
export type RssPeaks = Record<string, number>;

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

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
    return Object.fromEntries([...this.peaksKib].map(([name, kib]) => [name, mib(kib)]));
  }

  private sample(): void {
    for (const process of this.processes) {
      const kib = process.rssKib();
      if (kib !== undefined)
        this.peaksKib.set(process.name, Math.max(kib, this.peaksKib.get(process.name) ?? 0));
    }
  }
}

/** One process's resident memory over the run (or a window of it), MiB. */
export interface RssSummary {
  peakMiB: number;
  medianMiB: number;
  samples: number;
}

/**
 * Every app process the run starts, sampled every `intervalMs` from start to exit, with the time of each sample:
 * the run-wide peak and median per process, and any window of it (the steady-load scenario's start and end).
 */
export class RunRssMonitor {
  private readonly tracked: AppProcess[] = [];
  private readonly samples = new Map<string, { at: number; kib: number }[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs = 250) {}

  track(app: AppProcess): void {
    this.tracked.push(app);
    this.samples.set(app.name, []);
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Per process over the whole run; optionally only the samples taken in [fromMs, toMs) (Date.now() clock). */
  summary(name: string, fromMs = 0, toMs = Infinity): RssSummary | null {
    const values = (this.samples.get(name) ?? [])
      .filter((sample) => sample.at >= fromMs && sample.at < toMs)
      .map((sample) => sample.kib)
      .sort((a, b) => a - b);
    if (!values.length) return null;
    return {
      peakMiB: mib(values[values.length - 1]),
      medianMiB: mib(values[Math.floor((values.length - 1) / 2)]),
      samples: values.length,
    };
  }

  names(): string[] {
    return [...this.samples.keys()];
  }

  private sample(): void {
    const at = Date.now();
    for (const app of this.tracked) {
      const kib = app.rssKib();
      if (kib !== undefined) this.samples.get(app.name)?.push({ at, kib });
    }
  }
}
