import { AppConfig } from '@app/config';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { Registry } from 'prom-client';

/**
 * With METRICS_PORT set, `GET /metrics` is served by this small server on that port (and not on the API
 * port), so that the scrape endpoint can stay inside the cluster while the API is public.
 */
@Injectable()
export class MetricsPortServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MetricsPortServer.name);
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: Registry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.edge.metrics.port;
    if (port === undefined) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || !/^\/metrics\/?(\?|$)/.test(request.url ?? '')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('only GET /metrics here\n');
        return;
      }
      this.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text))
        .catch(() => response.writeHead(500).end());
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject).listen(port, '0.0.0.0', () => resolve());
    });
    this.logger.log(`metrics on port ${port}`);
  }

  /** The port actually bound (tests pass 0 for a free one). */
  get boundPort(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
