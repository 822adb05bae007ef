import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConsoleBundle } from '../../apps/api/src/console/console.bundle';

const ROOT = resolve(__dirname, '../..');

/** Dockerfile instructions of one stage, continuations joined, comments dropped. */
function stage(name: string): string[] {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const start = lines.findIndex((line) => new RegExp(`^FROM .* AS ${name}$`, 'i').test(line));
  const end = lines.findIndex((line, index) => index > start && line.startsWith('FROM '));
  return lines.slice(start, end === -1 ? undefined : end);
}

/**
 * The image carries the built console (no Docker engine runs here, so the Dockerfile is read): the build stage
 * has the console's sources and its build tools before `npm run build`, whose script builds the console, and the
 * runtime stage takes dist/ from it, without the build tools.
 */
describe('the operator console in the image', () => {
  it('when the image is built, then the build stage bundles the console and the runtime stage copies it', () => {
    const build = stage('build');
    const runIndex = build.indexOf('RUN npm run build');
    expect(runIndex).toBeGreaterThan(-1);
    expect(build.slice(0, runIndex)).toEqual(
      expect.arrayContaining(['COPY console ./console', 'RUN npm ci --no-audit --no-fund']),
    );
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.build).toMatch(/npm run build:console$/);
    expect(scripts['build:console']).toMatch(/^vite build console\b/);

    const runtime = stage('runtime');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.find((line) => line.startsWith('RUN npm ci'))).toContain('--omit=dev');
  });

  it('when the console builds, then it lands where the API looks for it (dist/console under the package root)', () => {
    const config = readFileSync(join(ROOT, 'console/vite.config.mts'), 'utf8');
    const outDir = /outDir: '([^']+)'/.exec(config)?.[1] ?? '';
    // Relative to the Vite root, console/.
    expect(resolve(ROOT, 'console', outDir)).toBe(ConsoleBundle.defaultDirectory());
    expect(config).toMatch(/base: '\/console\/'/);
  });
});
