import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractExporter } from './support/contract-exporter';
import { readYaml } from './support/manifests';
import { DEFAULT_PROCESS_METRICS, knownSeriesNames, metricNamesIn } from './support/observability-contract';
import { PrometheusServer } from './support/prometheus-server';
import { repositoryRoot, requireTool, run } from './support/tools';

/**
 * deploy/observability: the Prometheus alert rules (checked and unit-tested by promtool) and the Grafana
 * dashboard (structure, and every query run by a real Prometheus against series shaped like the metric contract).
 */

const RULES = 'deploy/observability/prometheus/onboarding-alerts.yml';
const RULE_TESTS = 'deploy/observability/prometheus/onboarding-alerts.test.yml';
const DASHBOARD = 'deploy/observability/grafana/onboarding-dashboard.json';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}
interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
  time: { from: string; to: string };
}

const alerts = readYaml<{ groups: { name: string; rules: AlertRule[] }[] }>(RULES).groups.flatMap(
  (group) => group.rules,
);
const dashboard = JSON.parse(readFileSync(join(repositoryRoot, DASHBOARD), 'utf8')) as Dashboard;
const allPanels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queries = allPanels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, refId: target.refId, expr: target.expr })),
);

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const readmeAnchors = new Set(
  readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => anchorOf(line.replace(/^#+ /, ''))),
);

/** Grafana's own variables, replaced as Grafana would for a short time range, so Prometheus can run the query. */
const withGrafanaVariables = (expression: string) =>
  expression.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m');

describe('Prometheus alert rules (deploy/observability/prometheus)', () => {
  const promtool = () =>
    requireTool('promtool', "apt-get install prometheus (Debian's package has promtool)");

  it('when promtool checks the rule file, then it finds every rule valid', () => {
    const output = run(promtool(), ['check', 'rules', RULES]);
    expect(output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('when promtool runs the rule unit tests, then every one passes', () => {
    const output = run(promtool(), ['test', 'rules', RULE_TESTS]);
    expect(output).toContain('SUCCESS');
  });

  it('when an alert is defined, then a unit test sees it fire', () => {
    const tests = readYaml<RuleTests>(RULE_TESTS);
    expect(tests.rule_files).toEqual(['onboarding-alerts.yml']);
    const fired = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? [])
          .filter((check) => check.exp_alerts.length > 0)
          .map((check) => check.alertname),
      ),
    );
    expect(alerts.map((alert) => alert.alert).filter((name) => !fired.has(name))).toEqual([]);
  });

  it('when an alert fires, then it has a severity, a summary and a runbook section that exists in the README', () => {
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: alert.labels?.severity }).toEqual({
        alert: alert.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(alert.annotations?.summary).toEqual(expect.any(String));
      const runbook = alert.annotations?.runbook_url ?? '';
      expect({ alert: alert.alert, runbook }).toEqual({
        alert: alert.alert,
        runbook: `README.md#${alert.alert.toLowerCase()}`,
      });
      expect({ alert: alert.alert, anchorInReadme: readmeAnchors.has(runbook.split('#')[1]) }).toEqual({
        alert: alert.alert,
        anchorInReadme: true,
      });
    }
  });

  it('when an alert names a metric, then the metric is in the contract', () => {
    const known = knownSeriesNames();
    const unknown = alerts.flatMap((alert) =>
      metricNamesIn(alert.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${alert.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('Grafana dashboard (deploy/observability/grafana)', () => {
  it('when Grafana imports it, then it has the fields Grafana requires and a Prometheus data source variable', () => {
    expect(dashboard).toMatchObject({
      uid: expect.stringMatching(/^[a-zA-Z0-9_-]{1,40}$/),
      title: expect.any(String),
      schemaVersion: expect.any(Number),
      time: { from: expect.any(String), to: expect.any(String) },
    });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const ids = allPanels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of allPanels) {
      const { x, y, w, h } = panel.gridPos;
      expect({ panel: panel.title, fits: x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24 }).toEqual({
        panel: panel.title,
        fits: true,
      });
      if (panel.type === 'row') continue;
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(refIds.length).toBeGreaterThan(0);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('when the panels are laid out, then none overlaps another', () => {
    const cells = new Map<string, string>();
    const overlaps: string[] = [];
    for (const panel of allPanels) {
      const { x, y, w, h } = panel.gridPos;
      for (let row = y; row < y + h; row += 1) {
        for (let column = x; column < x + w; column += 1) {
          const taken = cells.get(`${row}:${column}`);
          if (taken) overlaps.push(`${panel.title} overlaps ${taken}`);
          cells.set(`${row}:${column}`, panel.title);
        }
      }
    }
    expect([...new Set(overlaps)]).toEqual([]);
  });

  it('when the dashboard shows the funnel, outbox lag, queues, retries, dead letters, step latency and HTTP RED, then a query names each', () => {
    const expressions = queries.map((query) => query.expr).join('\n');
    for (const metric of [
      'onboarding_registrations_total',
      'onboarding_verifications_total',
      'onboarding_onboardings_total',
      'onboarding_outbox_oldest_pending_seconds',
      'onboarding_queue_messages',
      'onboarding_step_outcomes_total',
      'onboarding_dead_letters_pending',
      'onboarding_step_duration_seconds_bucket',
      'http_requests_total',
      'http_request_duration_seconds_bucket',
    ]) {
      expect(expressions).toContain(metric);
    }
  });

  it('when a panel names a metric, then the metric is in the contract', () => {
    const known = knownSeriesNames();
    const unknown = queries.flatMap((query) =>
      metricNamesIn(query.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${query.panel} ${query.refId}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  describe('against a real Prometheus scraping series shaped like the metric contract', () => {
    let exporter: ContractExporter;
    let prometheus: PrometheusServer;

    beforeAll(async () => {
      exporter = await ContractExporter.start();
      prometheus = await PrometheusServer.start(
        (['api', 'worker'] as const).map((app) => ({
          job: `onboarding-${app}`,
          address: exporter.address,
          metricsPath: `/metrics/${app}`,
          labels: { namespace: 'onboarding', pod: `${app}-0` },
        })),
      );
      // Rates need a few samples in their window: wait for four scrapes of both targets.
      await prometheus.waitUntil(async () => {
        const result = await prometheus.query('min(count_over_time(up[1m])) >= 4 and min(up) == 1');
        return (result.data?.result.length ?? 0) > 0;
      }, 'scraping both targets');
    });

    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.stop();
    });

    it("when the fake apps expose prom-client's default metrics, then the process metrics the rules use are real names", async () => {
      const exposed =
        (await exporter.registries.api.metrics()) + (await exporter.registries.worker.metrics());
      for (const name of DEFAULT_PROCESS_METRICS) expect(exposed).toContain(`\n${name}{`);
    });

    it('when Prometheus runs every panel query, then each parses, succeeds and returns series', async () => {
      const failures: string[] = [];
      for (const query of queries) {
        const result = await prometheus.query(withGrafanaVariables(query.expr));
        if (result.status !== 'success') {
          failures.push(`${query.panel} ${query.refId}: ${result.error}`);
        } else if ((result.data?.result.length ?? 0) === 0) {
          failures.push(
            `${query.panel} ${query.refId}: no series (a metric or label that the contract lacks?)`,
          );
        }
      }
      expect(failures).toEqual([]);
    });

    it('when a panel query is broken, then the same check reports it', async () => {
      const syntax = await prometheus.query('sum(rate(http_requests_total[1m])');
      expect(syntax.status).toBe('error');
      const misspelled = await prometheus.query('sum(rate(http_request_total[1m]))');
      expect(misspelled).toMatchObject({ status: 'success', data: { result: [] } });
    });
  });
});
