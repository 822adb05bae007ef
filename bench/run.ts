import { inspect } from 'node:util';
import { cpuBusyShare } from './bench.environment';
import { createReport, HttpScenarioResult, printSummary, writeReport } from './bench.report';
import { BenchSession, log } from './bench.session';
import { loadBenchSettings, RESULTS_DIR } from './bench.settings';
import { registrationRequest, runHttpScenario } from './http.scenario';
import { recordFinalState, runOnboardingBurst, runWorkerBacklogDrain } from './onboarding.scenario';
import { Teardown } from './teardown';

/** Cheap argon2id parameters for the scenarios that measure everything but the hash. Never a production setting. */
const CHEAP_HASH = { ARGON2_MEMORY_KIB: '4096', ARGON2_TIME_COST: '1' };

/**
 * `npm run bench`: starts the built API and worker as child processes against a private database and broker
 * prefix, runs the scenarios in order, prints a table, writes bench/results/<timestamp>.json, and cleans up.
 */
async function runScenarios(session: BenchSession): Promise<void> {
  const { report } = session;
  const [worker, api] = await Promise.all([
    session.startApp('worker', 'worker'),
    session.startApp('api', 'api'),
  ]);

  const baseline = await runHttpScenario(session, {
    name: 'baseline',
    what: 'GET /health/live',
    app: api,
    worker,
    request: { method: 'GET', path: '/health/live' },
  });
  const compared = (result: HttpScenarioResult) => {
    result.vsBaseline = baseline.load.okPerSec > 0 ? result.load.okPerSec / baseline.load.okPerSec : null;
    return result;
  };
  report.scenarios.push(baseline);
  report.scenarios.push(
    compared(
      await runHttpScenario(session, {
        name: 'registration',
        what: 'POST /users, argon2id m=19456 KiB t=2 (production default)',
        app: api,
        worker,
        request: registrationRequest('registration'),
      }),
    ),
  );

  // The rest measures what the hash hides, on an API with cheap hashing. The first API stops (timed) so that two
  // APIs never share the two cores.
  const cheapApi = await session.startApp('api-cheap-hash', 'api', CHEAP_HASH);
  report.shutdown[api.name] = await api.stop();
  report.scenarios.push(await runOnboardingBurst(session, cheapApi, worker));
  report.scenarios.push(
    compared(
      await runHttpScenario(session, {
        name: 'registration-cheap-hash',
        what: 'POST /users, argon2id m=4096 KiB t=1 (NOT a production setting)',
        app: cheapApi,
        worker,
        request: registrationRequest('cheap'),
      }),
    ),
  );
  const drain = await runWorkerBacklogDrain(session, cheapApi, worker);
  report.scenarios.push(drain.result);

  await recordFinalState(session);
  report.shutdown[cheapApi.name] = await cheapApi.stop();
  report.shutdown[drain.worker.name] = await drain.worker.stop();
  for (const app of [api, worker, cheapApi, drain.worker]) report.logs[app.name] = app.summarizeLog();
}

async function main(): Promise<number> {
  const settings = loadBenchSettings();
  const teardown = new Teardown();
  teardown.onSignals(log);
  const report = createReport(settings);
  report.machine.cpuBusyShareAtStart = await cpuBusyShare(1000);
  if (report.machine.cpuBusyShareAtStart > 0.25) {
    const percent = Math.round(report.machine.cpuBusyShareAtStart * 100);
    report.notes.push(`the machine was ${percent} % busy before the run began: expect noisy numbers`);
  }
  let failure: unknown;
  try {
    await runScenarios(await BenchSession.open(settings, teardown, report));
  } catch (error) {
    failure = error;
  }
  const cleanupFailures = await teardown.run();
  report.finishedAt = new Date().toISOString();
  for (const problem of cleanupFailures) report.notes.push(`cleanup failed: ${problem}`);
  printSummary(report, log);
  log(`results: ${writeReport(RESULTS_DIR, report)}`);
  if (failure) {
    log(
      `benchmark failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : inspect(failure)}`,
    );
    return 1;
  }
  return cleanupFailures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${inspect(error)}\n`);
    process.exit(1);
  },
);
