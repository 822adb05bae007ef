import { exponentialBackoff } from '@app/resilience';
import { Logger } from '@nestjs/common';
import type { Channel, ConfirmChannel } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';

export interface SupervisedChannelOptions<C extends Channel> {
  /** For log lines ("publishing", "consuming"). */
  name: string;
  confirm: C extends ConfirmChannel ? true : false;
  /**
   * Declares what the channel needs (topology, prefetch, consumers) on every open. If it throws, the channel is
   * closed and opened again after a backoff.
   */
  setup: (channel: C) => Promise<void>;
  /** The channel this object opened has closed, for whatever reason (settled deliveries on it are void). */
  onClose?: (channel: C) => void;
}

/**
 * One AMQP channel that is always there while the connection is: opened on every connect, and opened again,
 * after a backoff with jitter, whenever the broker closes it while the connection stays up (a 404 for a deleted
 * exchange, a 406, the consumer timeout). amqp-connection-manager's own channel wrapper waits for the next
 * reconnect instead, which never comes when only the channel died.
 */
export class SupervisedChannel<C extends Channel = Channel> {
  private readonly logger: Logger;
  private readonly delays = exponentialBackoff({ initialMs: 100, maxMs: 10_000 });
  private channel?: C;
  private opening?: Promise<void>;
  /** A (re)connect arrived while a channel was being opened on the connection before: open again after it. */
  private openAgain = false;
  private reopenTimer?: NodeJS.Timeout;
  private closed = false;
  /** Channels this object opened that have closed since (amqplib exposes no such state). */
  private readonly closedChannels = new WeakSet<Channel>();
  private readonly waiters = new Set<(channel: C) => void>();

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly options: SupervisedChannelOptions<C>,
  ) {
    this.logger = new Logger(`SupervisedChannel(${options.name})`);
    connection.on('connect', this.onConnect);
    connection.on('disconnect', this.onDisconnect);
    if (connection.isConnected()) void this.open();
  }

  /** The open, set-up channel, if there is one right now. */
  get current(): C | undefined {
    return this.channel;
  }

  get isOpen(): boolean {
    return this.channel !== undefined;
  }

  /**
   * The open channel, waiting up to `timeoutMs` for one.
   * @throws Error when none is open in time or the channel is closed for good
   */
  async whenOpen(timeoutMs: number): Promise<C> {
    if (this.channel) return this.channel;
    if (this.closed) throw new Error(`the ${this.options.name} channel is closed`);
    return new Promise<C>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`no ${this.options.name} channel to RabbitMQ within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (channel: C) => {
        clearTimeout(timer);
        resolve(channel);
      };
      this.waiters.add(done);
    });
  }

  /** Closes the channel for good; it is not opened again. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.connection.removeListener('connect', this.onConnect);
    this.connection.removeListener('disconnect', this.onDisconnect);
    await this.opening;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private readonly onConnect = () => {
    clearTimeout(this.reopenTimer);
    this.delays.reset();
    void this.open();
  };

  private readonly onDisconnect = () => {
    clearTimeout(this.reopenTimer);
    this.channel = undefined;
  };

  private async open(): Promise<void> {
    if (this.closed || this.channel) return;
    if (this.opening) {
      this.openAgain = true;
      return;
    }
    const connection = this.connection.connection;
    if (!connection) return;
    this.opening = this.openOn(connection).finally(() => {
      this.opening = undefined;
      if (this.openAgain) {
        this.openAgain = false;
        void this.open();
      }
    });
    await this.opening;
  }

  private async openOn(connection: NonNullable<AmqpConnectionManager['connection']>): Promise<void> {
    let channel: C | undefined;
    try {
      channel = (
        this.options.confirm ? await connection.createConfirmChannel() : await connection.createChannel()
      ) as C;
      const opened = channel;
      // A channel-level error (404, 406, consumer timeout) arrives as 'error', then 'close'.
      opened.on('error', (error: Error) => this.logger.warn(`channel error: ${error.message}`));
      opened.once('close', () => this.onChannelClose(opened));
      await this.options.setup(opened);
      if (this.closed) {
        await opened.close().catch(() => undefined);
        return;
      }
      if (this.closedChannels.has(opened)) return; // closed during setup: onChannelClose scheduled the next try
      if (this.connection.connection !== connection) {
        // The connection was replaced while this channel was set up: it is on the old one. Closing it opens anew.
        await opened.close().catch(() => undefined);
        return;
      }
      this.channel = opened;
      this.delays.reset();
      for (const waiter of [...this.waiters]) waiter(opened);
      this.waiters.clear();
    } catch (error) {
      this.logger.warn(`setting up the channel failed: ${(error as Error).message}`);
      if (channel && !this.closedChannels.has(channel)) {
        // Closing it triggers onChannelClose, which schedules the next attempt.
        await channel.close().catch(() => undefined);
      } else if (!channel) {
        this.scheduleReopen();
      }
    }
  }

  private onChannelClose(channel: C): void {
    this.closedChannels.add(channel);
    if (this.channel === channel) this.channel = undefined;
    this.options.onClose?.(channel);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || !this.connection.isConnected()) return;
    clearTimeout(this.reopenTimer);
    const delayMs = this.delays.next();
    this.reopenTimer = setTimeout(() => void this.open(), delayMs);
  }
}
