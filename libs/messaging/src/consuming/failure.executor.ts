import { exponentialBackoff } from '@app/resilience';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadLetterPublisher } from '../publishing/dead-letter.publisher';
import { RetryPublisher } from '../publishing/retry.publisher';
import type { FailureDecision } from '../retry/failure-decision';
import { jitteredExpirationMs } from '../retry/retry-policy';
import type { RetryTiers } from '../retry/retry-tiers';
import type { DependencyGate } from './dependency-gate';
import type { MessageOutcome } from './message-outcome';
import type { RmqDelivery } from './rmq-delivery';

export interface FailureExecutorOptions {
  retries: RetryPublisher;
  deadLetters: DeadLetterPublisher;
  tiers: () => RetryTiers;
  gate: DependencyGate;
  /** Aborted on shutdown: a park waiting to try again gives up (the broker redelivers the message). */
  closing: AbortSignal;
  onOutcome: (delivery: RmqDelivery, outcome: MessageOutcome) => void;
}

/**
 * Carries out what the retry interceptor decided for a failed message: hold it while a dependency is down, park
 * it in a retry tier, or dead-letter it; the original is acked only once the broker has confirmed the copy.
 *
 * A message is parked only while the channel it came on is open: once that channel is gone the broker delivers
 * the message again by itself, and parking a copy as well would fork it into two retry chains. A park that fails
 * (the broker is in trouble) is tried again after a backoff, never by requeueing at once.
 */
export class FailureExecutor {
  private readonly logger = new Logger(FailureExecutor.name);

  constructor(private readonly options: FailureExecutorOptions) {}

  async execute(delivery: RmqDelivery, decision: FailureDecision, rerun: () => void): Promise<void> {
    const { action, attempt, maxAttempts, code, message: reason } = decision;
    switch (action.kind) {
      case 'pause':
        this.logger.warn(`${action.dependency} is unavailable (${code}: ${reason}); holding the message`);
        this.options.gate.hold(delivery, action.dependency, rerun);
        this.options.onOutcome(delivery, 'paused');
        return;
      case 'retry': {
        const tierDelayMs = this.options.tiers().pick(action.delayMs);
        const expirationMs = jitteredExpirationMs(action.jitterRatio, tierDelayMs);
        this.logger.warn(
          `attempt ${attempt}/${maxAttempts} failed (${code}: ${reason}); retry in ~${expirationMs} ms`,
        );
        await this.park(
          delivery,
          () => this.options.retries.publish(delivery, decision.error, attempt, tierDelayMs, expirationMs),
          'retried',
        );
        return;
      }
      case 'dead-letter':
        this.logger.error(`dead-lettering after attempt ${attempt} (${code}: ${reason})`);
        await this.park(
          delivery,
          () => this.options.deadLetters.publish(delivery, decision.error, attempt),
          'dead_lettered',
        );
        return;
    }
  }

  /** A dead letter the ledger cannot take, for a reason that would repeat: to the parked queue. */
  async parkDeadLetter(delivery: RmqDelivery, error: unknown): Promise<void> {
    this.logger.error(
      `the ledger cannot record this dead letter (${(error as Error)?.message}); parking it for an operator`,
    );
    await this.park(delivery, () => this.options.deadLetters.park(delivery, error), 'ledger_parked');
  }

  private async park(delivery: RmqDelivery, publish: () => Promise<void>, outcome: MessageOutcome) {
    const delays = exponentialBackoff({ initialMs: 250, maxMs: 10_000 });
    for (;;) {
      if (!delivery.isChannelOpen) {
        this.logger.warn('the channel it came on is gone: not parked; the broker delivers it again');
        return;
      }
      try {
        await publish();
      } catch (error) {
        if (this.options.closing.aborted) return;
        const delayMs = delays.next();
        this.logger.error(`parking failed (${(error as Error).message}); trying again in ${delayMs} ms`);
        await sleep(delayMs, undefined, { signal: this.options.closing }).catch(() => undefined);
        continue;
      }
      this.options.onOutcome(delivery, outcome);
      if (!delivery.ack()) {
        this.logger.warn('parked, but its channel closed before the ack: the broker delivers it again too');
      }
      return;
    }
  }
}
