import autocannon from 'autocannon';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface HttpLoadResult {
  /** Responses of any status. */
  responses: number;
  /**
   * 2xx responses per second, from the first request to the last response (autocannon's own duration is rounded
   * up to its 1 s sampling tick, which inflates short fixed-amount runs). Failures do not count as throughput.
   */
  okPerSec: number;
  /** Milliseconds, from every response (autocannon's own histogram rounds to whole milliseconds). */
  latencyMs: LatencySummary;
  statusCodes: Record<string, number>;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
  durationS: number;
}

export interface HttpLoadOptions {
  /** http://127.0.0.1:<port>: the benchmark loads nothing but the apps it started. */
  baseUrl: string;
  connections: number;
  /** Seconds of load; or, with `amount`, the longest the run may take before it is stopped. */
  durationS: number;
  /** A fixed number of requests instead of a fixed duration. */
  amount?: number;
  /** Requests per second over all connections (paced load); unpaced when absent. */
  overallRate?: number;
  request: autocannon.Request;
}

/** One autocannon run against an app on 127.0.0.1, bounded in time even when a fixed `amount` is asked for. */
export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const url = new URL(options.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`refusing to load ${url.hostname}: the benchmark targets loopback only`);
  }
  const latencies: number[] = [];
  const startedAt = performance.now();
  let lastResponse = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationS }),
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        timeout: 10,
        requests: [options.request],
      },
      (error: Error | null, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastResponse = performance.now();
    });
    if (options.amount) {
      const guard = setTimeout(() => instance.stop(), options.durationS * 1000);
      instance.on('done', () => clearTimeout(guard));
    }
  });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
  const durationS = (lastResponse - startedAt) / 1000;
  return {
    responses: latencies.length,
    okPerSec: durationS > 0 ? round(result['2xx'] / durationS, 1) : 0,
    latencyMs: summarize(latencies),
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: round(durationS, 2),
  };
}

/** Nearest-rank percentiles, in milliseconds with two decimals. */
export function summarize(samples: number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) =>
    sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)], 2);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
