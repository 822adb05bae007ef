/**
 * The metric and queue names that the apps expose and that the alert rules, the dashboard and the KEDA triggers
 * rely on. This list is the contract of the issue "Operate it": a name used in deploy/ must be in it, so that a
 * typo in a rule or a panel fails a test instead of matching nothing forever.
 */
export interface MetricContract {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  app: 'api' | 'worker';
  /** Each label with the values the apps produce (free-form labels get sample values). */
  labels: Record<string, string[]>;
}

const steps = ['provision-account', 'send-verification-email', 'deliver-webhook'];

/** Queue names for the default RABBITMQ_TOPOLOGY_PREFIX `onboarding`. */
export const WORK_QUEUES = [
  'onboarding.step.provision-account',
  'onboarding.step.send-verification-email',
  'onboarding.step.deliver-webhook',
  'onboarding.webhooks',
];
export const DEAD_LETTER_QUEUE = 'onboarding.dlq';

export const METRICS: MetricContract[] = [
  { name: 'onboarding_outbox_pending_events', type: 'gauge', app: 'api', labels: {} },
  { name: 'onboarding_outbox_oldest_pending_seconds', type: 'gauge', app: 'api', labels: {} },
  {
    name: 'onboarding_dead_letters_pending',
    type: 'gauge',
    app: 'api',
    labels: { error_code: ['DEPENDENCY_UNAVAILABLE', 'USER_NOT_FOUND'] },
  },
  { name: 'onboarding_registrations_total', type: 'counter', app: 'api', labels: {} },
  {
    name: 'onboarding_verifications_total',
    type: 'counter',
    app: 'api',
    labels: { method: ['token', 'admin'] },
  },
  {
    name: 'http_requests_total',
    type: 'counter',
    app: 'api',
    labels: {
      method: ['POST', 'GET'],
      route: ['/users', '/users/:id', '/health/ready', '/metrics'],
      status: ['201', '200', '400', '500', '503'],
    },
  },
  {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    app: 'api',
    labels: { method: ['POST', 'GET'], route: ['/users', '/users/:id', '/health/ready', '/metrics'] },
  },
  {
    name: 'onboarding_messages_total',
    type: 'counter',
    app: 'worker',
    labels: {
      type: ['user.registered', 'user.verified'],
      outcome: ['processed', 'duplicate', 'retried', 'dead_lettered', 'paused', 'ledger_recorded'],
    },
  },
  {
    name: 'onboarding_step_outcomes_total',
    type: 'counter',
    app: 'worker',
    labels: { step: steps, outcome: ['completed', 'retried', 'dead_lettered', 'skipped', 'duplicate'] },
  },
  { name: 'onboarding_step_duration_seconds', type: 'histogram', app: 'worker', labels: { step: steps } },
  {
    name: 'onboarding_onboardings_total',
    type: 'counter',
    app: 'worker',
    labels: { outcome: ['completed', 'failed'] },
  },
  {
    name: 'onboarding_consumer_up',
    type: 'gauge',
    app: 'worker',
    labels: { queue: [...WORK_QUEUES, DEAD_LETTER_QUEUE] },
  },
  {
    name: 'onboarding_queue_messages',
    type: 'gauge',
    app: 'worker',
    labels: { queue: [...WORK_QUEUES, DEAD_LETTER_QUEUE] },
  },
  {
    name: 'onboarding_webhook_deliveries_total',
    type: 'counter',
    app: 'worker',
    labels: { endpoint: ['wh_1'], outcome: ['delivered', 'retried', 'failed', 'skipped'] },
  },
  {
    name: 'onboarding_webhook_delivery_duration_seconds',
    type: 'histogram',
    app: 'worker',
    labels: { endpoint: ['wh_1'] },
  },
];

/** prom-client's default process and Node.js metrics that deploy/ uses (both apps expose them). */
export const DEFAULT_PROCESS_METRICS = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
];

/** Every series name a query may use: the contract's, histogram parts included, plus Prometheus' own `up`. */
export function knownSeriesNames(): Set<string> {
  const names = new Set<string>(['up', ...DEFAULT_PROCESS_METRICS]);
  for (const metric of METRICS) {
    if (metric.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    } else {
      names.add(metric.name);
    }
  }
  return names;
}

/**
 * The metric names a PromQL expression refers to: identifiers that are not functions, keywords, label names
 * or durations. Good enough for our own expressions, which always name metrics in snake_case with a prefix.
 */
export function metricNamesIn(expression: string): string[] {
  const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutLabelMatchers = withoutStrings.replace(/\{[^}]*\}/g, '{}');
  const withoutGrouping = withoutLabelMatchers.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
    '',
  );
  const candidates = withoutGrouping.match(/\b(?:onboarding|http|process|nodejs|up)[a-z0-9_]*\b/g) ?? [];
  return [...new Set(candidates)];
}
