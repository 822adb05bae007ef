import { Logger } from '@nestjs/common';
import type { Channel } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { withShortLivedChannel } from '../connection/short-lived-channel';

/**
 * Declares the consumer topology again at an interval, on a short-lived channel of its own. Deleting an exchange
 * deletes its bindings without telling any consumer: the publisher's channel re-creates the exchange after its
 * 404, but only a consumer can bind its queues again, and nothing would tell it to. Idempotent declarations cost
 * a few round trips; a conflict (406) closes only this throwaway channel, and is logged.
 */
export class TopologyWatchdog {
  private readonly logger = new Logger(TopologyWatchdog.name);
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly declare: (channel: Channel) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One check now (skipped while one is under way or there is no connection). */
  check(): Promise<void> {
    this.checking ??= this.declareOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async declareOnce(): Promise<void> {
    try {
      await withShortLivedChannel(this.connection, this.declare);
    } catch (error) {
      this.logger.warn(`declaring the topology again failed: ${(error as Error).message}`);
    }
  }
}
