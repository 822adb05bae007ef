import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS, MetricContract } from './observability-contract';

/** Every combination of the contract's label values: `{a: [1, 2], b: [3]}` → `[{a: 1, b: 3}, {a: 2, b: 3}]`. */
function labelCombinations(labels: Record<string, string[]>): Record<string, string>[] {
  return Object.entries(labels).reduce<Record<string, string>[]>(
    (combinations, [name, values]) =>
      combinations.flatMap((combination) => values.map((value) => ({ ...combination, [name]: value }))),
    [{}],
  );
}

/** Moves one metric forward as a running app would between two scrapes. */
function metricOf(contract: MetricContract, registry: Registry): () => void {
  const options = {
    name: contract.name,
    help: `${contract.name} (test data from the metric contract)`,
    labelNames: Object.keys(contract.labels),
    registers: [registry],
  };
  const combinations = labelCombinations(contract.labels);
  if (contract.type === 'counter') {
    const counter = new Counter(options);
    return () => combinations.forEach((labels, index) => counter.inc(labels, index + 1));
  }
  if (contract.type === 'gauge') {
    const gauge = new Gauge(options);
    return () => combinations.forEach((labels, index) => gauge.set(labels, index + 1));
  }
  const histogram = new Histogram(options);
  return () =>
    combinations.forEach((labels, index) => {
      histogram.observe(labels, 0.01 * (index + 1));
      histogram.observe(labels, 0.4);
    });
}

/**
 * An HTTP server that serves, at /metrics/api and /metrics/worker, every metric of the contract with its labels
 * and prom-client's default process metrics, each series labelled `app` like the real apps' registries. Each
 * scrape advances the counters and histograms, so rates and quantiles have data.
 */
export class ContractExporter {
  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly registries: Record<'api' | 'worker', Registry>,
  ) {}

  static async start(): Promise<ContractExporter> {
    const registries = { api: new Registry(), worker: new Registry() };
    const advance: (() => void)[] = [];
    for (const [app, registry] of Object.entries(registries) as ['api' | 'worker', Registry][]) {
      registry.setDefaultLabels({ app });
      collectDefaultMetrics({ register: registry });
      for (const contract of METRICS.filter((metric) => metric.app === app)) {
        advance.push(metricOf(contract, registry));
      }
    }
    const server = createServer((request, response) => {
      const registry = registries[request.url === '/metrics/worker' ? 'worker' : 'api'];
      advance.forEach((step) => step());
      registry.metrics().then(
        (text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new ContractExporter(server, `127.0.0.1:${port}`, registries);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
