import { type Algorithm, hash } from '@node-rs/argon2';

/**
 * The argon2id-only measurement: the product's hashing library at the given cost, `CONCURRENCY` hashes always in
 * flight (enough to keep the libuv pool, UV_THREADPOOL_SIZE=4 by default, and so both cores busy), for
 * WARMUP_S + DURATION_S seconds. Prints one JSON line: hashes per second over the measured part and the latency
 * of each hash. Run as a child process by bench/run.ts, so that it has a thread pool of its own, as the API does.
 */

const ARGON2ID = 2 as Algorithm;
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: number('ARGON2_MEMORY_KIB', 19_456),
    timeCost: number('ARGON2_TIME_COST', 2),
    parallelism: 1,
  };
  const concurrency = number('CONCURRENCY', 8);
  const warmupMs = number('WARMUP_S', 2) * 1000;
  const durationMs = number('DURATION_S', 10) * 1000;
  const startedAt = performance.now();
  const measureFrom = startedAt + warmupMs;
  const endAt = measureFrom + durationMs;
  const latencies: number[] = [];
  let n = 0;
  const loop = async () => {
    while (performance.now() < endAt) {
      const started = performance.now();
      await hash(`correct horse battery staple ${++n}`, options);
      if (started >= measureFrom) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  // Hashes started in the measured window, over the window (each one that began there also finished).
  const measuredS = (performance.now() - measureFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  process.stdout.write(
    `${JSON.stringify({
      hashes: latencies.length,
      hashesPerSec: Math.round((latencies.length / measuredS) * 10) / 10,
      measuredS: Math.round(measuredS * 100) / 100,
      concurrency,
      threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      latencyMs: { p50: at(0.5), p99: at(0.99) },
      params: { memoryKib: options.memoryCost, timeCost: options.timeCost, parallelism: 1 },
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
