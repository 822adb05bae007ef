import { exponentialBackoff } from '@app/resilience';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RmqDelivery } from './rmq-delivery';

/** A dependency the consumer cannot work without; `probe` throws while it is unavailable. */
export interface GatedDependency {
  name: string;
  probe: () => Promise<void>;
}

interface HeldDelivery {
  delivery: RmqDelivery;
  rerun: () => void;
  since: number;
}

export interface DependencyGateOptions {
  dependencies: readonly GatedDependency[];
  /** Called when the gate closes (stop consuming) and when it opens again (consume again). */
  onClose: () => Promise<void>;
  onOpen: () => Promise<void>;
  /**
   * A held message is given back to its queue once after this long (below the broker's consumer timeout, which
   * would close the channel over a message held unacked for longer).
   */
  maxHoldMs: number;
}

/**
 * Keeps the consumer away from work it cannot do: while a dependency (PostgreSQL) is down, it stops consuming
 * instead of failing message after message into retries and dead letters. The message whose handler found the
 * outage is held unacked (it spent no attempt) and run again when the dependency is back; the gate probes with
 * backoff and jitter until then. Starts closed, so nothing is consumed before the first successful probe.
 */
export class DependencyGate {
  private readonly logger = new Logger(DependencyGate.name);
  private open = false;
  private down?: string;
  private held: HeldDelivery[] = [];
  private probing?: Promise<void>;
  private readonly stopping = new AbortController();

  constructor(private readonly options: DependencyGateOptions) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** The dependency it waits for, while closed. */
  get waitingFor(): string | undefined {
    return this.open ? undefined : (this.down ?? 'first check');
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Probes until every dependency answers, then opens. */
  start(): void {
    this.probing ??= this.probeUntilAvailable();
  }

  /** A handler hit an outage of `dependency`: keep its message for later and stop consuming. */
  hold(delivery: RmqDelivery, dependency: string, rerun: () => void): void {
    this.held.push({ delivery, rerun, since: Date.now() });
    this.close(dependency);
  }

  close(dependency: string): void {
    this.down = dependency;
    if (!this.open || this.stopping.signal.aborted) return;
    this.open = false;
    this.logger.warn(`${dependency} is unavailable: consuming paused until it is back`);
    void this.options.onClose().catch((error: Error) => this.logger.warn(`pausing failed: ${error.message}`));
    this.probing ??= this.probeUntilAvailable();
  }

  /** No more probing or reruns; held messages stay unacked, and the broker redelivers them when the channel goes. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.probing;
  }

  private async probeUntilAvailable(): Promise<void> {
    const delays = exponentialBackoff({ initialMs: 200, maxMs: 10_000 });
    try {
      while (!this.stopping.signal.aborted) {
        this.releaseOverdue();
        const unavailable = await this.firstUnavailable();
        if (!unavailable) break;
        this.down = unavailable;
        await sleep(delays.next(), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
      if (this.stopping.signal.aborted) return;
      this.open = true;
      this.down = undefined;
      const held = this.held;
      this.held = [];
      if (held.length > 0)
        this.logger.log(`dependencies are back: running ${held.length} held message(s) again`);
      for (const { delivery, rerun } of held) {
        // On a closed channel the broker has taken the message back and delivers it again by itself.
        if (delivery.isChannelOpen && !delivery.isSettled) rerun();
      }
      await this.options.onOpen();
    } finally {
      this.probing = undefined;
      // A held message that failed again while the gate was opening closed it in the meantime.
      if (!this.open && !this.stopping.signal.aborted) this.probing = this.probeUntilAvailable();
    }
  }

  private async firstUnavailable(): Promise<string | undefined> {
    for (const dependency of this.options.dependencies) {
      try {
        await dependency.probe();
      } catch {
        return dependency.name;
      }
    }
    return undefined;
  }

  private releaseOverdue(): void {
    const overdue = Date.now() - this.options.maxHoldMs;
    const keep: HeldDelivery[] = [];
    for (const entry of this.held) {
      if (entry.since > overdue) keep.push(entry);
      else entry.delivery.requeue();
    }
    if (keep.length < this.held.length) {
      this.logger.warn(`${this.held.length - keep.length} held message(s) given back to their queue`);
    }
    this.held = keep;
  }
}
