import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root, for paths in deploy tests. */
export const repositoryRoot = resolve(__dirname, '../../..');

/**
 * The absolute path of a command-line tool, or an error saying how CI installs it. Deploy tests never skip:
 * a missing tool is a failure with a message (`.ci/run` installs each one).
 */
export function requireTool(command: string, installHint: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(`${command} is not installed: ${installHint} (.ci/run does this when it is missing)`);
  }
  return path;
}

/** Runs a tool and returns its stdout; a non-zero exit throws with the tool's own stderr and stdout. */
export function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? repositoryRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} exited with ${failure.status}:\n${failure.stderr ?? ''}${failure.stdout ?? ''}`,
    );
  }
}
