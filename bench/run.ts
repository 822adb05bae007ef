import type autocannon from 'autocannon';
import { inspect } from 'node:util';
import { cpuBusyShare } from './bench.environment';
import { createReport, HttpScenarioResult, printSummary, writeReport } from './bench.report';
import { BenchSession, log } from './bench.session';
import { loadBenchSettings, RESULTS_DIR } from './bench.settings';
import { evaluateTargets, SCENARIOS } from './bench.targets';
import { getUserRequest, registrationRequest, runHttpScenario } from './http.scenario';
import {
  recordFinalState,
  runPacedOnboarding,
  runSteadyLoad,
  runWorkerBacklogDrain,
} from './onboarding.scenario';
import { Teardown } from './teardown';

/**
 * Cheap argon2id parameters (the product reads ARGON2_MEMORY_KIB and ARGON2_TIME_COST) for the scenarios that
 * measure everything but the hash; the bare baseline hashes with the same. Never a production setting.
 */
const CHEAP_HASH = { ARGON2_MEMORY_KIB: '8', ARGON2_TIME_COST: '1' };
/** The product's defaults (OWASP: m=19456 KiB, t=2, p=1), spelled out for the argon2id-only measurement. */
const OWASP_HASH = { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' };

/** okPerSec of `result` as a share of `reference`'s, both from this run. */
function versus(result: HttpScenarioResult, reference: { name: string; rate: number }): HttpScenarioResult {
  result.vs =
    reference.rate > 0 ? { reference: reference.name, share: result.load.okPerSec / reference.rate } : null;
  return result;
}
const rateOf = (result: HttpScenarioResult) => ({ name: result.name, rate: result.load.okPerSec });

/**
 * `npm run bench`: the bare baseline server, the argon2id-only measurement and the built API and worker as child
 * processes against private databases and a private broker prefix; each product scenario right after its
 * reference; prints the tables and the targets, writes bench/results/<timestamp>.json, and cleans up.
 */
async function runScenarios(session: BenchSession): Promise<void> {
  const { report } = session;
  const push = <T extends (typeof report.scenarios)[number]>(result: T): T => {
    report.scenarios.push(result);
    return result;
  };

  // References and product scenarios alternate, each pair minutes apart at most: the machine is shared, and the
  // load from elsewhere drifts over a run. A server not under load meanwhile is idle (the pipeline has caught up
  // before every scenario begins), so it takes next to nothing from the one measured.
  const bare = await session.startApp('bare', 'bare', CHEAP_HASH);
  const [worker, api] = await Promise.all([
    session.startApp('worker', 'worker'),
    session.startApp('api-owasp', 'api'),
  ]);

  // 1. The production hash cost against argon2id alone, the pool full.
  log(
    `\n[${SCENARIOS.argon2Only}] @node-rs/argon2 m=19456 KiB t=2, ${session.settings.argon2Concurrency} in flight`,
  );
  const argon2 = await session.measureArgon2(OWASP_HASH);
  log(`  ${argon2.hashesPerSec} hashes/s, p50 ${argon2.latencyMs.p50.toFixed(1)} ms`);
  push({
    kind: 'argon2',
    name: SCENARIOS.argon2Only,
    what: 'argon2id only, OWASP default',
    app: 'bench',
    workerApp: null,
    rssPeakMiB: {},
    ...argon2,
  });
  push(
    versus(
      await runHttpScenario(session, {
        name: SCENARIOS.signupOwaspC8,
        what: 'POST /users, argon2id m=19456 KiB t=2 (production default)',
        app: api,
        worker,
        connections: 8,
        request: registrationRequest('owasp'),
        product: true,
      }),
      { name: SCENARIOS.argon2Only, rate: argon2.hashesPerSec },
    ),
  );

  // 2. Everything but the hash, on an API with cheap hashing, each after its bare reference. The first API
  // stops (timed) first.
  report.shutdown[api.name] = await api.stop();
  const cheapApi = await session.startApp('api-cheap-hash', 'api', CHEAP_HASH);
  const bareHttp = async (name: string, connections: number, request: autocannon.Request) =>
    push(
      await runHttpScenario(session, {
        name,
        what: `bare ${request.method} ${request.path}`,
        app: bare,
        connections,
        request,
        product: false,
      }),
    );
  const cheapHttp = async (
    name: string,
    what: string,
    connections: number,
    request: autocannon.Request,
    reference: HttpScenarioResult,
  ) =>
    push(
      versus(
        await runHttpScenario(session, {
          name,
          what,
          app: cheapApi,
          worker,
          connections,
          request,
          product: true,
        }),
        rateOf(reference),
      ),
    );
  const cheapSignup =
    'POST /users, argon2id m=8 KiB t=1 (NOT a production setting), relay and worker running';
  const bareC10 = await bareHttp(SCENARIOS.bareSignupC10, 10, registrationRequest('bare10'));
  const cheapC10 = await cheapHttp(
    SCENARIOS.signupCheapC10,
    cheapSignup,
    10,
    registrationRequest('cheap10'),
    bareC10,
  );
  const bareC50 = await bareHttp(SCENARIOS.bareSignupC50, 50, registrationRequest('bare50'));
  const cheapC50 = await cheapHttp(
    SCENARIOS.signupCheapC50,
    cheapSignup,
    50,
    registrationRequest('cheap50'),
    bareC50,
  );
  const liveness: autocannon.Request = { method: 'GET', path: '/health/live' };
  const bareLiveness = await bareHttp(SCENARIOS.bareLiveness, 50, liveness);
  const someUser = await session.probe.anyUserId();
  await cheapHttp(
    SCENARIOS.getUserC50,
    'GET /users/{id} as an admin',
    50,
    getUserRequest(someUser),
    bareLiveness,
  );
  await cheapHttp(SCENARIOS.apiLiveness, 'Nest GET /health/live', 50, liveness, bareLiveness);
  report.shutdown[bare.name] = await bare.stop();

  // 5. End to end at half the maximum measured signup rate; then a long steady load at the same pace on a fresh
  // API (same settings), so that its RSS reflects that load alone: the unpaced c=50 scenarios leave the heap
  // large, and V8 gives it back over minutes, which would pass for a flat or even falling curve.
  const halfMax = Math.max(1, Math.floor(Math.max(cheapC10.load.okPerSec, cheapC50.load.okPerSec) / 2));
  push(await runPacedOnboarding(session, cheapApi, worker, halfMax));
  report.shutdown[cheapApi.name] = await cheapApi.stop();
  const steadyApi = await session.startApp('api-steady', 'api', CHEAP_HASH);
  push(await runSteadyLoad(session, steadyApi, worker, halfMax));

  // 6. The consumer's ceiling on a backlog.
  const drain = await runWorkerBacklogDrain(session, steadyApi, worker);
  push(drain.result);

  await recordFinalState(session);
  report.shutdown[steadyApi.name] = await steadyApi.stop();
  report.shutdown[drain.worker.name] = await drain.worker.stop();
  for (const app of [bare, api, worker, cheapApi, steadyApi, drain.worker])
    report.logs[app.name] = app.summarizeLog();
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
  let session: BenchSession | undefined;
  try {
    session = await BenchSession.open(settings, teardown, report);
    await runScenarios(session);
  } catch (error) {
    failure = error;
  }
  const cleanupFailures = await teardown.run();
  report.rss = Object.fromEntries(
    session?.rss.names().flatMap((name) => {
      const summary = session?.rss.summary(name);
      return summary ? [[name, summary]] : [];
    }) ?? [],
  );
  report.targets = evaluateTargets(report, settings.steadyS);
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
