import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools';

/** A scrape target for the test server: where it is and the labels Kubernetes discovery would give it. */
export interface ScrapeTarget {
  job: string;
  address: string;
  metricsPath: string;
  labels: Record<string, string>;
}

export interface QueryResult {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * A real Prometheus server (Debian's `prometheus` package) on a random loopback port with a throw-away data
 * directory, scraping `targets` every second. `stop()` ends it and removes the directory.
 */
export class PrometheusServer {
  private constructor(
    private readonly process: ChildProcess,
    private readonly directory: string,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static async start(targets: ScrapeTarget[]): Promise<PrometheusServer> {
    const binary = requireTool('prometheus', "apt-get install prometheus (Debian's package)");
    const directory = mkdtempSync(join(tmpdir(), 'onboarding-prometheus-'));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: targets.map((target) => ({
        job_name: target.job,
        metrics_path: target.metricsPath,
        static_configs: [{ targets: [target.address], labels: target.labels }],
      })),
    };
    // JSON is YAML: no serializer needed for the config file.
    writeFileSync(join(directory, 'prometheus.yml'), JSON.stringify(config));
    const port = await freePort();
    let output = '';
    const child = spawn(
      binary,
      [
        `--config.file=${join(directory, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(directory, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const server = new PrometheusServer(child, directory, `http://127.0.0.1:${port}`, () => output);
    try {
      await server.waitUntil(async () => (await fetch(`${server.url}/-/ready`)).ok, 'ready');
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Polls `condition` every 200 ms for up to 30 s; fails with the server's log. */
  async waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.process.exitCode !== null) {
        throw new Error(`prometheus exited with ${this.process.exitCode}:\n${this.output()}`);
      }
      if (await condition().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`prometheus was not ${what} within 30 s:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** An instant query through the HTTP API, as Grafana sends it. */
  async query(expression: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expression }),
    });
    return (await response.json()) as QueryResult;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
