import type autocannon from 'autocannon';
import { ADMIN_TOKEN } from './bench.settings';
import type { AppProcess } from './app.process';
import type { HttpScenarioResult, PipelineDuringLoad } from './bench.report';
import { BenchSession, log } from './bench.session';
import { round, runHttpLoad } from './http-load.runner';
import { RssSampler } from './rss.sampler';

const PASSWORD = 'correct horse battery staple';

/**
 * POST /users with an email unique to the run and to `tag` (`u<n>@<tag>.bench.example.com`): the counter lives in
 * this closure, so a warm-up and the measured run that share the request never collide (a collision is a 409).
 */
export function registrationRequest(tag: string): autocannon.Request {
  let sequence = 0;
  return {
    method: 'POST',
    path: '/users',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({
        email: `u${++sequence}@${tag}.bench.example.com`,
        password: PASSWORD,
        firstName: 'Bench',
        lastName: 'Mark',
      }),
    }),
  };
}

/** GET /users/{id} as an admin (the route needs a bearer token). */
export function getUserRequest(id: string): autocannon.Request {
  return { method: 'GET', path: `/users/${id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
}

export interface HttpScenario {
  name: string;
  what: string;
  app: AppProcess;
  /** The product's worker, when one runs alongside (its RSS is sampled; POSTs are followed down the pipeline). */
  worker?: AppProcess;
  connections: number;
  request: autocannon.Request;
  /** The product, whose acknowledged registrations the final consistency check counts (not the bare server). */
  product: boolean;
}

/**
 * A warm-up, then a fixed-duration autocannon run against `app`, sampling the RSS of `app` and `worker`. A POST
 * run on the product with a worker also measures the pipeline meanwhile: users onboarded per second during the
 * load and the backlog (registered, not yet onboarded) at its start and end.
 */
export async function runHttpScenario(
  session: BenchSession,
  scenario: HttpScenario,
): Promise<HttpScenarioResult> {
  const { warmupS, durationS } = session.settings;
  const { connections } = scenario;
  const isRegistration = scenario.request.method === 'POST';
  const countsRegistrations = isRegistration && scenario.product;
  log(
    `\n[${scenario.name}] ${scenario.what}: ${warmupS} s warm-up, then ${durationS} s at ${connections} connections`,
  );
  if (scenario.product) await session.vacuumUnlessAutovacuum();
  const common = { baseUrl: scenario.app.baseUrl, connections, request: scenario.request };
  const warmup = await runHttpLoad({ ...common, durationS: warmupS });
  if (countsRegistrations) session.countRegistrations(warmup, connections);

  const followPipeline = countsRegistrations && scenario.worker !== undefined;
  const before = followPipeline ? await session.probe.counts() : undefined;
  const startedAt = performance.now();
  const sampler = new RssSampler(scenario.worker ? [scenario.app, scenario.worker] : [scenario.app]).start();
  const load = await runHttpLoad({ ...common, durationS });
  const rssPeakMiB = sampler.stop();
  let pipeline: PipelineDuringLoad | undefined;
  if (before) {
    const after = await session.probe.counts();
    const windowS = (performance.now() - startedAt) / 1000;
    const caughtUp = await session.probe.waitFor(
      (counts) => counts.pending === 0,
      session.settings.drainTimeoutS * 1000,
    );
    pipeline = {
      onboardedPerSec: round((after.completed - before.completed) / windowS, 1),
      registeredPerSec: round((after.users - before.users) / windowS, 1),
      backlogAtStart: before.pending,
      backlogAtEnd: after.pending,
      caughtUpMs: caughtUp.reached ? caughtUp.waitedMs : null,
    };
  }
  if (countsRegistrations) session.countRegistrations(load, connections);
  log(
    `  ${load.okPerSec} req/s (2xx), p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
      `statuses ${JSON.stringify(load.statusCodes)}, errors ${load.errors}` +
      (pipeline
        ? `; onboarded ${pipeline.onboardedPerSec}/s while ${pipeline.registeredPerSec}/s registered, ` +
          `backlog ${pipeline.backlogAtStart} -> ${pipeline.backlogAtEnd}, caught up ${pipeline.caughtUpMs} ms later`
        : ''),
  );
  return {
    kind: 'http',
    name: scenario.name,
    what: scenario.what,
    app: scenario.app.name,
    workerApp: scenario.worker?.name ?? null,
    connections,
    load,
    vs: null,
    pipeline: pipeline ?? null,
    rssPeakMiB,
  };
}
