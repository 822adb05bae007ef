import { queueName, topologyNames } from '@app/messaging';
import type { AppProcess } from './app.process';
import { queueDepth } from './bench.environment';
import type { BacklogScenarioResult, OnboardingScenarioResult } from './bench.report';
import { BenchSession, log } from './bench.session';
import { registrationRequest } from './http.scenario';
import { runHttpLoad } from './http-load.runner';
import { RssSampler } from './rss.sampler';

/**
 * End to end, live: N registrations in one burst through `api`, then the wait until every one of them is
 * onboarded (outbox relay in the API, broker, worker). While the pipeline keeps up, events/s is bounded by the
 * registration rate and the lag shows the pipeline's latency.
 */
export async function runOnboardingBurst(
  session: BenchSession,
  api: AppProcess,
  worker: AppProcess,
): Promise<OnboardingScenarioResult> {
  const { onboardingUsers, connections, drainTimeoutS } = session.settings;
  log(`\n[onboarding] ${onboardingUsers} registrations in one burst, until all are onboarded`);
  const idle = await session.probe.waitFor((counts) => counts.pending === 0, drainTimeoutS * 1000);
  if (!idle.reached)
    session.report.notes.push(`pipeline not idle before the burst: ${JSON.stringify(idle.counts)}`);

  const sampler = new RssSampler([api, worker]).start();
  const registration = await runHttpLoad({
    baseUrl: api.baseUrl,
    connections,
    amount: onboardingUsers,
    durationS: drainTimeoutS,
    request: registrationRequest('onboarding'),
  });
  const users = session.countRegistrations(registration, false);
  const pattern = '%@onboarding.bench.example.com';
  const { completed, timedOut } = await session.probe.waitForCompleted(pattern, users, drainTimeoutS * 1000);
  const rssPeakMiB = sampler.stop();
  const stats = await session.probe.endToEnd(pattern);
  if (timedOut)
    session.report.notes.push(`onboarding burst: only ${completed} of ${users} onboarded in time`);
  log(
    `  ${users} registered at ${registration.okPerSec} req/s; all onboarded ${stats.spanMs} ms after the first ` +
      `(${stats.tailMs} ms after the last): ${stats.eventsPerSec} events/s, ` +
      `lag p50 ${stats.lagMs.p50} ms, p99 ${stats.lagMs.p99} ms`,
  );
  return {
    kind: 'onboarding',
    name: 'onboarding',
    what: `${onboardingUsers} registrations in a burst until all onboarding_status = 'completed'`,
    app: api.name,
    workerApp: worker.name,
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
  session.report.shutdown[worker.name] = await worker.stop();

  const registration = await runHttpLoad({
    baseUrl: api.baseUrl,
    connections,
    amount: backlogUsers,
    durationS: drainTimeoutS,
    request: registrationRequest('backlog'),
  });
  const users = session.countRegistrations(registration, false);
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
  const allowance = session.cutOffRuns * settings.connections;
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
