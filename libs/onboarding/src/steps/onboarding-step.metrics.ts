import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** What a step run ended in, as the step itself knows it (retries and dead letters are the transport's). */
export type StepOutcome = 'completed' | 'skipped' | 'duplicate';

/** Step outcomes and durations, and onboardings reaching an end, on the worker's `/metrics`. */
@Injectable()
export class OnboardingStepMetrics {
  readonly outcomes: Counter<'step' | 'outcome'>;
  private readonly durations: Histogram<'step'>;
  private readonly onboardings: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.outcomes = new Counter({
      name: 'onboarding_step_outcomes_total',
      help: 'Step runs by step and outcome (completed, skipped, duplicate; retried and dead_lettered by the transport)',
      labelNames: ['step', 'outcome'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'onboarding_step_duration_seconds',
      help: 'How long one run of a step took, side effects (SMTP, HTTP) included',
      labelNames: ['step'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.onboardings = new Counter({
      name: 'onboarding_onboardings_total',
      help: "Users whose onboarding reached an end: completed, or failed (a required step's message dead-lettered)",
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  stepRan(step: string, outcome: StepOutcome | 'failed', seconds: number): void {
    if (outcome !== 'failed') this.outcomes.inc({ step, outcome });
    this.durations.observe({ step }, seconds);
  }

  onboardingEnded(outcome: 'completed' | 'failed'): void {
    this.onboardings.inc({ outcome });
  }
}
