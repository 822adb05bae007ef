import { queueName, topologyNames } from '@app/messaging';
import type { AppProcess } from './app.process';
import { queueDepth } from './bench.environment';
import type { BacklogScenarioResult, OnboardingScenarioResult, SteadyScenarioResult } from './bench.report';
import { BenchSession, log } from './bench.session';
import { registrationRequest } from './http.scenario';
import { runHttpLoad } from './http-load.runner';
import { RssSampler } from './rss.sampler';

/**
 * End to end at a given pace: `rate` registrations per second (half the maximum measured rate) for the scenario
 * duration, then the wait until every one of them is onboarded (outbox relay in the API, broker, worker). Below
 * saturation the lag is the pipeline's latency, not queueing behind the load generator.
 */
export async function runPacedOnboarding(
  session: BenchSession,
  api: AppProcess,
  worker: AppProcess,
  rate: number,
): Promise<OnboardingScenarioResult> {
  const { durationS, connections, drainTimeoutS } = session.settings;
  log(`\n[onboarding-lag] ${rate} registrations/s for ${durationS} s, until all are onboarded`);
  const idle = await session.probe.waitFor((counts) => counts.pending === 0, drainTimeoutS * 1000);
  if (!idle.reached)
    session.report.notes.push(`pipeline not idle before the paced load: ${JSON.stringify(idle.counts)}`);
  await session.vacuumUnlessAutovacuum();

  const sampler = new RssSampler([api, worker]).start();
  const registration = await runHttpLoad({
    baseUrl: api.baseUrl,
    connections,
    durationS,
    overallRate: rate,
    request: registrationRequest('paced'),
  });
  const users = session.countRegistrations(registration, connections);
  const pattern = '%@paced.bench.example.com';
  const { completed, timedOut } = await session.probe.waitForCompleted(pattern, users, drainTimeoutS * 1000);
  const rssPeakMiB = sampler.stop();
  const stats = await session.probe.endToEnd(pattern);
  if (timedOut)
    session.report.notes.push(`paced onboarding: only ${completed} of ${users} onboarded in time`);
  log(
    `  ${users} registered at ${registration.okPerSec} req/s; all onboarded ${stats.tailMs} ms after the last: ` +
      `${stats.eventsPerSec} users/s, lag p50 ${stats.lagMs.p50} ms, p99 ${stats.lagMs.p99} ms`,
  );
  return {
    kind: 'onboarding',
    name: 'onboarding-lag',
    what: `POST /users paced at ${rate} req/s (half the maximum measured), until all onboarding_status = 'completed'`,
    app: api.name,
    workerApp: worker.name,
    targetRate: rate,
    idleWaitMs: idle.waitedMs,
    registration,
    users,
    completed,
    timedOut,
    ...stats,
    rssPeakMiB,
  };
}

/**
 * Steady load for `steadyS`: registrations paced at `rate`, the API and the worker sampled throughout. RSS at
 * the start (median of the second tenth of the samples) against the end (median of the last tenth) shows growth.
 */
export async function runSteadyLoad(
  session: BenchSession,
  api: AppProcess,
  worker: AppProcess,
  rate: number,
): Promise<SteadyScenarioResult> {
  const { steadyS, connections, drainTimeoutS } = session.settings;
  log(`\n[steady] ${rate} registrations/s for ${steadyS} s; RSS at the start against the end`);
  await session.vacuumUnlessAutovacuum();
  const from = Date.now();
  const registration = await runHttpLoad({
    baseUrl: api.baseUrl,
    connections,
    durationS: steadyS,
    overallRate: rate,
    request: registrationRequest('steady'),
  });
  const to = Date.now();
  const backlogAtEnd = (await session.probe.counts()).pending;
  session.countRegistrations(registration, connections);
  // The first tenth is the API's warm-up (JIT, pools, the heap growing to its working size), so "start" is the
  // second tenth.
  const tenth = Math.max(1000, (to - from) / 10);
  const rss = Object.fromEntries(
    [api, worker].map((app) => {
      const start = session.rss.summary(app.name, from + tenth, from + 2 * tenth);
      const end = session.rss.summary(app.name, to - tenth, to);
      const whole = session.rss.summary(app.name, from, to);
      return [
        app.name,
        {
          startMiB: start?.medianMiB ?? null,
          endMiB: end?.medianMiB ?? null,
          peakMiB: whole?.peakMiB ?? null,
          growthMiB: start && end ? Math.round((end.medianMiB - start.medianMiB) * 10) / 10 : null,
        },
      ];
    }),
  );
  const caughtUp = await session.probe.waitFor((counts) => counts.pending === 0, drainTimeoutS * 1000);
  log(
    `  ${registration.okPerSec} req/s, p99 ${registration.latencyMs.p99} ms, backlog at the end ${backlogAtEnd}; ` +
      Object.entries(rss)
        .map(([name, r]) => `${name} ${r.startMiB} -> ${r.endMiB} MiB (peak ${r.peakMiB})`)
        .join(', '),
  );
  return {
    kind: 'steady',
    name: 'steady',
    what: `POST /users paced at ${rate} req/s for ${steadyS} s`,
    app: api.name,
    workerApp: worker.name,
    targetRate: rate,
    registration,
    backlogAtEnd,
    caughtUpMs: caughtUp.reached ? caughtUp.waitedMs : null,
    rss,
    rssPeakMiB: Object.fromEntries(Object.entries(rss).map(([name, r]) => [name, r.peakMiB ?? 0])),
  };
}

/**
 * The consumer's ceiling: with the worker stopped, N registrations are relayed into the queue; then a fresh
 * worker starts and drains them. Returns the new worker process (the old one is gone).
 */
export async function runWorkerBacklogDrain(
  session: BenchSession,
  api: AppProcess,
  worker: AppProcess,
): Promise<{ result: BacklogScenarioResult; worker: AppProcess }> {
  const { backlogUsers, connections, drainTimeoutS } = session.settings;
  log(`\n[worker-drain] worker stopped, ${backlogUsers} registrations queued, then a new worker drains them`);
  const idle = await session.probe.waitFor((counts) => counts.pending === 0, drainTimeoutS * 1000);
  if (!idle.reached)
    session.report.notes.push(`pipeline not idle before the backlog: ${JSON.stringify(idle.counts)}`);
  await session.vacuumUnlessAutovacuum();
  session.report.shutdown[worker.name] = await worker.stop();

  const registration = await runHttpLoad({
    baseUrl: api.baseUrl,
    connections,
    amount: backlogUsers,
    durationS: drainTimeoutS,
    request: registrationRequest('backlog'),
  });
  const users = session.countRegistrations(registration);
  const relayed = await session.probe.waitFor((counts) => counts.unpublished === 0, drainTimeoutS * 1000);
  const queued = await queueDepth(
    session.settings.rabbitmqUrl,
    queueName(topologyNames(session.topologyPrefix), 'step.provision-account'),
  );
  log(
    `  ${users} registered at ${registration.okPerSec} req/s; relayed within ${relayed.waitedMs} ms; ${queued} queued`,
  );

  const startedAt = Date.now();
  const restarted = await session.startApp('worker-restarted', 'worker');
  const sampler = new RssSampler([api, restarted]).start();
  const pattern = '%@backlog.bench.example.com';
  const { completed, timedOut } = await session.probe.waitForCompleted(pattern, users, drainTimeoutS * 1000);
  const wallMs = Date.now() - startedAt;
  const rssPeakMiB = sampler.stop();
  const rate = await session.probe.completionRate(pattern);
  if (timedOut) session.report.notes.push(`worker drain: only ${completed} of ${users} onboarded in time`);
  log(
    `  drained ${completed} in ${wallMs} ms from spawn (${rate.eventsPerSec} events/s between first and last)`,
  );
  return {
    worker: restarted,
    result: {
      kind: 'backlog',
      name: 'worker-drain',
      what: `${backlogUsers} queued user.registered messages drained by a freshly started worker`,
      app: api.name,
      workerApp: restarted.name,
      registration,
      users,
      queueDepthAtStart: queued ?? null,
      completed,
      timedOut,
      eventsPerSec: rate.eventsPerSec,
      completionSpanMs: rate.spanMs,
      wallMs,
      rssPeakMiB,
    },
  };
}

/** Every acknowledged registration is a user, and every user is onboarded (or the report says otherwise). */
export async function recordFinalState(session: BenchSession): Promise<void> {
  const { report, settings } = session;
  const settled = await session.probe.waitFor(
    (counts) => counts.pending === 0 && counts.unpublished === 0,
    settings.drainTimeoutS * 1000,
  );
  const allowance = session.unansweredAllowance;
  const { counts } = settled;
  report.final = {
    ...counts,
    acknowledgedRegistrations: session.acknowledged,
    unansweredAllowance: allowance,
    deadLetterQueueDepth:
      (await queueDepth(settings.rabbitmqUrl, topologyNames(session.topologyPrefix).deadLetterQueue)) ?? null,
    deadLetterLedgerRows: await session.probe.deadLetterRows(),
  };
  if (!settled.reached)
    report.notes.push(`not settled within ${settings.drainTimeoutS} s: ${JSON.stringify(counts)}`);
  if (counts.users < session.acknowledged) {
    report.notes.push(
      `LOST: ${session.acknowledged} registrations answered 201 but only ${counts.users} users exist`,
    );
  } else if (counts.users > session.acknowledged + allowance) {
    report.notes.push(
      `${counts.users} users exist but only ${session.acknowledged} (+${allowance} cut off) answered 201`,
    );
  }
  const { deadLetterQueueDepth, deadLetterLedgerRows } = report.final;
  if (counts.failed || deadLetterQueueDepth || deadLetterLedgerRows) {
    report.notes.push(
      `failed onboardings: ${counts.failed}, dead letters queued: ${deadLetterQueueDepth}, ` +
        `in the ledger: ${deadLetterLedgerRows}`,
    );
  }
}
