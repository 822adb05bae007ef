import type {
  Argon2ScenarioResult,
  BacklogScenarioResult,
  BenchReport,
  HttpScenarioResult,
  OnboardingScenarioResult,
  ScenarioResult,
  SteadyScenarioResult,
  TargetResult,
} from './bench.report';

/** Scenario names shared by run.ts (which runs them) and the targets (which read them). */
export const SCENARIOS = {
  bareLiveness: 'bare-liveness',
  bareSignupC10: 'bare-signup-c10',
  bareSignupC50: 'bare-signup-c50',
  argon2Only: 'argon2-only',
  apiLiveness: 'api-liveness',
  signupOwaspC8: 'signup-owasp-c8',
  signupCheapC10: 'signup-cheap-c10',
  signupCheapC50: 'signup-cheap-c50',
  getUserC50: 'get-user-c50',
  onboardingLag: 'onboarding-lag',
  steady: 'steady',
  workerDrain: 'worker-drain',
} as const;

/** A steady-load RSS counts as flat when its end is within this share of its start. */
export const FLAT_RSS_SHARE = 0.05;

type Kind = ScenarioResult['kind'];
type Of<K extends Kind> = Extract<ScenarioResult, { kind: K }>;

function find<K extends Kind>(report: BenchReport, kind: K, name: string): Of<K> | undefined {
  return report.scenarios.find(
    (scenario): scenario is Of<K> => scenario.kind === kind && scenario.name === name,
  );
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function share(
  target: string,
  goal: number,
  scenario: HttpScenarioResult | undefined,
  reference: { name: string; rate: number } | undefined,
): TargetResult {
  if (!scenario || !reference || reference.rate <= 0)
    return { target, value: 'missing', goal: `>= ${percent(goal)}`, met: null };
  const value = scenario.load.okPerSec / reference.rate;
  return {
    target,
    value: `${percent(value)} (${scenario.load.okPerSec} / ${reference.rate})`,
    goal: `>= ${percent(goal)}`,
    met: value >= goal,
  };
}

const httpRate = (scenario: HttpScenarioResult | undefined) =>
  scenario ? { name: scenario.name, rate: scenario.load.okPerSec } : undefined;

function keepsUp(target: string, scenario: HttpScenarioResult | undefined): TargetResult {
  const goal = 'onboarded/s = registered/s (>= 95 %), no growing backlog';
  const pipeline = scenario?.pipeline;
  if (!pipeline) return { target, value: 'missing', goal, met: null };
  const ratio = pipeline.registeredPerSec > 0 ? pipeline.onboardedPerSec / pipeline.registeredPerSec : 0;
  return {
    target,
    value:
      `${pipeline.onboardedPerSec}/s of ${pipeline.registeredPerSec}/s (${percent(ratio)}), ` +
      `backlog ${pipeline.backlogAtStart} -> ${pipeline.backlogAtEnd}`,
    goal,
    met: ratio >= 0.95,
  };
}

/** Run-wide peak RSS over the processes whose name starts with `prefix` (every API, every worker). */
function peakOf(report: BenchReport, prefix: string): { name: string; peak: number } | undefined {
  return Object.entries(report.rss)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, summary]) => ({ name, peak: summary.peakMiB }))
    .sort((a, b) => b.peak - a.peak)[0];
}

function below(
  target: string,
  limit: number,
  unit: string,
  value: number | undefined,
  detail = '',
): TargetResult {
  const goal = `< ${limit} ${unit}`;
  if (value === undefined) return { target, value: 'missing', goal, met: null };
  return { target, value: `${value} ${unit}${detail}`, goal, met: value < limit };
}

function flat(target: string, steady: SteadyScenarioResult | undefined, app: string | null, seconds: number) {
  const goal = `flat over ${seconds} s (growth < ${percent(FLAT_RSS_SHARE)})`;
  const rss = steady && app ? steady.rss[app] : undefined;
  if (!rss || rss.startMiB === null || rss.endMiB === null || rss.growthMiB === null)
    return { target, value: 'missing', goal, met: null };
  return {
    target,
    value: `${rss.startMiB} -> ${rss.endMiB} MiB (${rss.growthMiB >= 0 ? '+' : ''}${rss.growthMiB})`,
    goal,
    met: rss.growthMiB < rss.startMiB * FLAT_RSS_SHARE,
  };
}

/** Each target of issue 10, on this run's numbers, against references measured in the same run. */
export function evaluateTargets(report: BenchReport, steadyS: number): TargetResult[] {
  const http = (name: string) => find(report, 'http', name);
  const argon2: Argon2ScenarioResult | undefined = find(report, 'argon2', SCENARIOS.argon2Only);
  const owasp = http(SCENARIOS.signupOwaspC8);
  const lag: OnboardingScenarioResult | undefined = find(report, 'onboarding', SCENARIOS.onboardingLag);
  const drain: BacklogScenarioResult | undefined = find(report, 'backlog', SCENARIOS.workerDrain);
  const steady = find(report, 'steady', SCENARIOS.steady);
  const api = peakOf(report, 'api');
  const worker = peakOf(report, 'worker');
  return [
    share(
      'POST /users cheap hash, c=10, vs bare',
      0.4,
      http(SCENARIOS.signupCheapC10),
      httpRate(http(SCENARIOS.bareSignupC10)),
    ),
    share(
      'POST /users cheap hash, c=50, vs bare',
      0.4,
      http(SCENARIOS.signupCheapC50),
      httpRate(http(SCENARIOS.bareSignupC50)),
    ),
    keepsUp('pipeline keeps up with signup, c=10', http(SCENARIOS.signupCheapC10)),
    keepsUp('pipeline keeps up with signup, c=50', http(SCENARIOS.signupCheapC50)),
    share(
      'POST /users OWASP, c=8, vs argon2id only',
      0.85,
      owasp,
      argon2 ? { name: argon2.name, rate: argon2.hashesPerSec } : undefined,
    ),
    below('POST /users OWASP, c=8, p99', 150, 'ms', owasp?.load.latencyMs.p99),
    {
      target: 'worker drain, user.registered',
      value: drain ? `${drain.eventsPerSec} ev/s` : 'missing',
      goal: '>= 3000 ev/s',
      met: drain ? drain.eventsPerSec >= 3000 : null,
    },
    below(
      'lag registration -> onboarded, p99',
      100,
      'ms',
      lag?.lagMs.p99,
      lag ? ` (p50 ${lag.lagMs.p50} ms at ${lag.targetRate} req/s)` : '',
    ),
    below('API RSS, run-wide peak', 150, 'MiB', api?.peak, api ? ` (${api.name})` : ''),
    below('worker RSS, run-wide peak', 120, 'MiB', worker?.peak, worker ? ` (${worker.name})` : ''),
    flat('API RSS under steady load', steady, steady?.app ?? null, steadyS),
    flat('worker RSS under steady load', steady, steady?.workerApp ?? null, steadyS),
    share(
      'GET /users/{id}, c=50, vs bare liveness',
      0.6,
      http(SCENARIOS.getUserC50),
      httpRate(http(SCENARIOS.bareLiveness)),
    ),
  ];
}
