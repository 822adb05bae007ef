import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredVariables, readYaml } from './support/manifests';
import { repositoryRoot, requireTool, run } from './support/tools';

/**
 * The Dockerfile (pinned base image, thread pool, user, a HEALTHCHECK that works for every role) and
 * docker-compose.yml (valid for Compose v1's `docker-compose config`, restart policies, Mailpit). No Docker engine
 * runs here: the healthcheck's own code runs in a PID namespace that looks like a container.
 */

const dockerfile = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');

/** Dockerfile instructions, with `\` continuations joined and comment lines dropped, as Docker's parser does. */
function instructions(text: string): string[] {
  const result: string[] = [];
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) || (current === undefined && line.trim() === '')) continue;
    const continued = line.endsWith('\\');
    const content = continued ? line.slice(0, -1) : line;
    current = current === undefined ? content.trimStart() : current + content;
    if (!continued) {
      result.push(current);
      current = undefined;
    }
  }
  return result;
}

const dockerInstructions = instructions(dockerfile);
const instructionsNamed = (name: string) =>
  dockerInstructions.filter((instruction) => instruction.toUpperCase().startsWith(`${name} `));

/** The JSON (exec) form command of the HEALTHCHECK instruction. */
function healthcheckCommand(): string[] {
  const [healthcheck] = instructionsNamed('HEALTHCHECK');
  const json = healthcheck?.slice(healthcheck.indexOf('CMD ') + 4).trim();
  return JSON.parse(json ?? 'null') as string[];
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * Runs inside a fresh PID namespace (its own /proc, like a container): starts a stand-in for one app (a Node
 * process whose command line names the app's entry file, answering FAKE_STATUS on /health/live at FAKE_PORT),
 * waits until it listens, runs the healthcheck, prints its exit status.
 */
const SCENARIO = `
const { spawn } = require('child_process');
const app = spawn(process.execPath, ['-e', process.env.FAKE_APP, process.env.FAKE_ENTRY], { stdio: ['ignore', 'pipe', 'inherit'] });
app.stdout.once('data', () => {
  const check = spawn(process.execPath, ['-e', process.env.HEALTHCHECK_CODE], { stdio: 'inherit' });
  const timer = setTimeout(() => check.kill('SIGKILL'), 5000);
  check.on('exit', (code) => { clearTimeout(timer); process.stdout.write('exit=' + code + '\\n'); app.kill(); });
});
`;
const FAKE_APP = `
const port = Number(process.env.FAKE_PORT);
if (!port) { process.stdout.write('no server\\n'); setInterval(() => {}, 1000); }
else require('http').createServer((request, response) => {
  response.statusCode = request.url === '/health/live' ? Number(process.env.FAKE_STATUS) : 404;
  response.end();
}).listen(port, '127.0.0.1', () => process.stdout.write('listening\\n'));
`;

function runHealthcheck(scenario: {
  entry: string;
  fakePort: number;
  status: number;
  env: Record<string, string>;
}): number {
  const unshare = requireTool('unshare', 'apt-get install util-linux (needs root, as CI runs)');
  const [command, flag, code] = healthcheckCommand();
  expect([command, flag]).toEqual(['node', '-e']);
  const result = spawnSync(unshare, ['--pid', '--fork', '--mount-proc', process.execPath, '-e', SCENARIO], {
    encoding: 'utf8',
    timeout: 15_000,
    env: {
      PATH: process.env.PATH,
      HEALTHCHECK_CODE: code,
      FAKE_APP,
      FAKE_ENTRY: scenario.entry,
      FAKE_PORT: String(scenario.fakePort),
      FAKE_STATUS: String(scenario.status),
      ...scenario.env,
    },
  });
  const exit = /exit=(\d+)/.exec(result.stdout)?.[1];
  if (exit === undefined) {
    throw new Error(
      `the healthcheck scenario did not finish (${result.status}): ${result.stdout}${result.stderr}`,
    );
  }
  return Number(exit);
}

describe('Dockerfile', () => {
  it('when the image is built, then both stages use one exact Node.js LTS version tag', () => {
    const [arg] = instructionsNamed('ARG').filter((instruction) => instruction.startsWith('ARG NODE_IMAGE='));
    const image = arg?.slice('ARG NODE_IMAGE='.length);
    const match = /^node:(\d+)\.\d+\.\d+-[a-z]+-slim$/.exec(image ?? '');
    expect({ image, exact: match !== null }).toEqual({ image, exact: true });
    // Even-numbered Node.js lines become LTS; 20 is past its end of life.
    expect(Number(match![1]) % 2).toBe(0);
    expect(Number(match![1])).toBeGreaterThan(20);
    expect(instructionsNamed('FROM').map((from) => from.split(' ')[1])).toEqual([
      '${NODE_IMAGE}',
      '${NODE_IMAGE}',
    ]);
  });

  it('when a container runs, then it is the unprivileged node user with a thread pool sized for argon2', () => {
    const afterRuntime = dockerInstructions.slice(
      dockerInstructions.findIndex((i) => i.includes(' AS runtime')),
    );
    expect(afterRuntime.filter((i) => i.startsWith('USER '))).toEqual(['USER node']);
    const environment = afterRuntime.filter((i) => i.startsWith('ENV ')).join(' ');
    const poolSize = Number(/UV_THREADPOOL_SIZE=(\d+)/.exec(environment)?.[1]);
    expect(poolSize).toBeGreaterThan(4);
    expect(poolSize).toBeLessThanOrEqual(1024);
    expect(instructionsNamed('CMD').at(-1)).toBe('CMD ["node", "dist/apps/api/src/main.js"]');
  });

  describe('HEALTHCHECK', () => {
    let port: number;
    beforeAll(async () => {
      port = await freePort();
    });

    it('when the API answers its liveness probe, then the container is healthy', () => {
      const exit = runHealthcheck({
        entry: '/app/dist/apps/api/src/main.js',
        fakePort: port,
        status: 200,
        env: { PORT: String(port), WORKER_HTTP_PORT: '1' },
      });
      expect(exit).toBe(0);
    });

    it('when the API answers its liveness probe with 503, then the container is unhealthy', () => {
      const exit = runHealthcheck({
        entry: '/app/dist/apps/api/src/main.js',
        fakePort: port,
        status: 503,
        env: { PORT: String(port) },
      });
      expect(exit).toBe(1);
    });

    it('when nothing listens on the API port, then the container is unhealthy', () => {
      const exit = runHealthcheck({
        entry: '/app/dist/apps/api/src/main.js',
        fakePort: port,
        status: 200,
        env: { PORT: String(port + 1 > 65535 ? port - 1 : port + 1) },
      });
      expect(exit).toBe(1);
    });

    it('when the worker answers on WORKER_HTTP_PORT, then the container is healthy (the API port is not asked)', () => {
      const exit = runHealthcheck({
        entry: '/app/dist/apps/worker/src/main.js',
        fakePort: port,
        status: 200,
        env: { WORKER_HTTP_PORT: String(port), PORT: '1' },
      });
      expect(exit).toBe(0);
    });

    it('when the container runs the migration step, then it is healthy without any HTTP server', () => {
      const exit = runHealthcheck({
        entry: '/app/dist/libs/database/src/cli/prepare-database.js',
        fakePort: 0,
        status: 0,
        env: {},
      });
      expect(exit).toBe(0);
    });
  });
});

interface ComposeService {
  image?: string;
  restart?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}

describe('docker-compose.yml', () => {
  const compose = readYaml<{ version?: string; services: Record<string, ComposeService> }>(
    'docker-compose.yml',
  );
  const dockerCompose = () =>
    requireTool('docker-compose', "apt-get install docker-compose (Debian's Compose v1)");

  it('when Compose v1 reads it, then `docker-compose config` accepts it', () => {
    expect(run(dockerCompose(), ['-f', 'docker-compose.yml', 'config', '-q'])).toBe('');
  });

  it('when the file has an unknown option, then `docker-compose config` rejects it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'onboarding-compose-'));
    try {
      const broken = join(directory, 'docker-compose.yml');
      writeFileSync(
        broken,
        readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8').replace('restart:', 'restrat:'),
      );
      expect(() =>
        run(dockerCompose(), ['-f', broken, '--project-directory', repositoryRoot, 'config', '-q']),
      ).toThrow(/Unsupported config option .*restrat/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('when a service stops unexpectedly, then Compose restarts it; the one-shot migration stays done', () => {
    expect(compose.version).toBeUndefined();
    const policies = Object.fromEntries(
      Object.entries(compose.services).map(([name, service]) => [name, service.restart]),
    );
    expect(policies).toEqual({
      postgres: 'unless-stopped',
      rabbitmq: 'unless-stopped',
      mailpit: 'unless-stopped',
      migrate: 'no',
      api: 'unless-stopped',
      worker: 'unless-stopped',
    });
  });

  it('when the worker sends mail, then it goes to Mailpit (SMTP 1025, web UI 8025)', () => {
    const { mailpit, worker } = compose.services;
    expect(mailpit.image).toMatch(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    expect(mailpit.ports).toEqual(['1025:1025', '8025:8025']);
    expect(worker.environment).toMatchObject({
      SMTP_URL: 'smtp://mailpit:1025',
      MAIL_FROM: expect.any(String),
    });
    expect(worker.depends_on).toHaveProperty('mailpit');
  });

  it('when an app service sets a variable, then the variable exists (declared, or one the apps are about to read)', () => {
    const upcoming = ['SMTP_URL', 'MAIL_FROM', 'PUBLIC_BASE_URL'];
    const known = new Set([...declaredVariables(), ...upcoming]);
    for (const name of ['migrate', 'api', 'worker']) {
      const unknown = Object.keys(compose.services[name].environment ?? {}).filter(
        (variable) => !known.has(variable),
      );
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('when an app is stopped, then its grace period outlasts the default SHUTDOWN_TIMEOUT_MS + 5 s', () => {
    for (const name of ['api', 'worker']) {
      expect(Number(/^(\d+)s$/.exec(compose.services[name].stop_grace_period ?? '')?.[1])).toBeGreaterThan(
        10 + 5,
      );
    }
  });
});
