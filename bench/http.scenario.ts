import type autocannon from 'autocannon';
import type { AppProcess } from './app.process';
import type { HttpScenarioResult } from './bench.report';
import { BenchSession, log } from './bench.session';
import { runHttpLoad } from './http-load.runner';
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

/** A warm-up, then a fixed-duration autocannon run against `app`, sampling the RSS of `app` and `worker`. */
export async function runHttpScenario(
  session: BenchSession,
  scenario: { name: string; what: string; app: AppProcess; worker: AppProcess; request: autocannon.Request },
): Promise<HttpScenarioResult> {
  const { warmupS, durationS, connections } = session.settings;
  const isRegistration = scenario.request.method === 'POST';
  log(
    `\n[${scenario.name}] ${scenario.what}: ${warmupS} s warm-up, then ${durationS} s at ${connections} connections`,
  );
  const common = { baseUrl: scenario.app.baseUrl, connections, request: scenario.request };
  const warmup = await runHttpLoad({ ...common, durationS: warmupS });
  if (isRegistration) session.countRegistrations(warmup, true);

  const sampler = new RssSampler([scenario.app, scenario.worker]).start();
  const load = await runHttpLoad({ ...common, durationS });
  const rssPeakMiB = sampler.stop();
  if (isRegistration) session.countRegistrations(load, true);
  log(
    `  ${load.okPerSec} req/s (2xx), p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
      `statuses ${JSON.stringify(load.statusCodes)}, errors ${load.errors}`,
  );
  return {
    kind: 'http',
    name: scenario.name,
    what: scenario.what,
    app: scenario.app.name,
    workerApp: scenario.worker.name,
    connections,
    load,
    vsBaseline: null,
    rssPeakMiB,
  };
}
