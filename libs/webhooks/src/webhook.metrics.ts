import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** What became of one delivery attempt (or of a delivery that was not attempted). */
export type WebhookDeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'skipped';

/**
 * Webhook deliveries on the worker's `/metrics`, per endpoint id (the names are a contract: an alert and the
 * dashboard use them). Endpoints are few and registered by operators, so the label stays bounded.
 */
@Injectable()
export class WebhookMetrics {
  private readonly deliveries: Counter<'endpoint' | 'outcome'>;
  private readonly durations: Histogram<'endpoint'>;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'onboarding_webhook_deliveries_total',
      help: 'Webhook delivery attempts by endpoint and outcome (delivered, retried, failed: for good; skipped: not sent)',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'onboarding_webhook_delivery_duration_seconds',
      help: 'How long one webhook HTTP attempt took, until the answer or the failure',
      labelNames: ['endpoint'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  attempted(endpoint: string, outcome: Exclude<WebhookDeliveryOutcome, 'skipped'>, seconds: number): void {
    this.deliveries.inc({ endpoint, outcome });
    this.durations.observe({ endpoint }, seconds);
  }

  skipped(endpoint: string): void {
    this.deliveries.inc({ endpoint, outcome: 'skipped' });
  }
}
