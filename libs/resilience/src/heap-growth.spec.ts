import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * In a fresh process (the flag is process-wide): keeps a live set of ~40 MiB, then churns objects that live long
 * enough to be promoted (as a busy replica's requests do), and reports the peak of the used heap in MiB.
 */
const CHURN = `
  const { limitHeapGrowth } = require(${JSON.stringify(join(__dirname, 'heap-growth.ts'))});
  limitHeapGrowth(Number(process.argv[1]));
  const live = Array.from({ length: 200000 }, (_, i) => ({ i, text: 'x'.repeat(100) + i }));
  const recent = [];
  let peak = 0;
  for (let round = 0; round < 1500; round++) {
    recent.push(Array.from({ length: 1000 }, (_, j) => ({ j, text: 'y'.repeat(50) + j })));
    if (recent.length > 50) recent.shift();
    if (round % 10 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  process.stdout.write(JSON.stringify({ peakMiB: Math.round(peak / 1048576), live: live.length }));
`;

function peakHeapMiB(percent: number): number {
  const output = execFileSync(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), '-e', CHURN, String(percent)],
    { encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json') } },
  );
  return (JSON.parse(output) as { peakMiB: number }).peakMiB;
}

describe('limitHeapGrowth', () => {
  it('when the growth is limited to 50 %, then the same churn peaks far below where V8 left alone lets it', () => {
    const unlimited = peakHeapMiB(0);
    const limited = peakHeapMiB(50);

    // Measured: 360-440 MiB left alone, 200-220 MiB limited (the live set: ~40 MiB of its own plus ts-node's).
    expect(unlimited).toBeGreaterThan(0);
    expect(limited).toBeLessThan(unlimited * 0.7);
  });
});
