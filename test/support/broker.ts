import { queueName, topologyNames } from '@app/messaging';
import { Channel, ChannelModel, ConfirmChannel, connect, GetMessage, Options } from 'amqplib';

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
  open: boolean;
}

/**
 * Direct access to the test's own exchanges and queues, to inject messages and read dead letters. Connects again
 * by itself when the broker went away since its last use (a fault test restarting RabbitMQ).
 */
export class BrokerProbe {
  private link?: Link;

  private constructor(
    private readonly url: string,
    private readonly prefix: string,
  ) {}

  static async open(url: string, prefix: string): Promise<BrokerProbe> {
    const probe = new BrokerProbe(url, prefix);
    await probe.channel();
    return probe;
  }

  get names() {
    return topologyNames(this.prefix);
  }

  /** The queue of an onboarding step (`provision-account` gets every `user.registered`). */
  stepQueue(step = 'provision-account'): string {
    return queueName(this.names, `step.${step}`);
  }

  /** Publishes to the events exchange as the relay would, or as a misbehaving producer might. */
  async publishEvent(
    routingKey: string,
    body: Buffer | string | object,
    options: Options.Publish = {},
  ): Promise<void> {
    const content = Buffer.isBuffer(body)
      ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    await this.publish(this.names.eventsExchange, routingKey, content, options);
  }

  /** Publishes straight into the dead-letter exchange, as the worker (or a broken producer) would. */
  async publishDeadLetter(routingKey: string, body: Buffer, options: Options.Publish = {}): Promise<void> {
    await this.publish(this.names.deadLetterExchange, routingKey, body, options);
  }

  /** Takes every message currently in the dead-letter queue (acking them). */
  async drainDeadLetters(): Promise<GetMessage[]> {
    const channel = await this.channel();
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(this.names.deadLetterQueue, { noAck: true });
      if (!message) return messages;
      messages.push(message);
    }
  }

  /** Declares a plain durable queue of the test's own (track it with the environment's `trackQueue`). */
  async declareQueue(queue: string): Promise<void> {
    await (await this.channel()).assertQueue(queue, { durable: true });
  }

  /** Puts a message straight into a queue (through the default exchange), confirmed. */
  async sendToQueue(queue: string, body: object): Promise<void> {
    await this.publish('', queue, Buffer.from(JSON.stringify(body)), {});
  }

  async deleteQueue(queue: string): Promise<void> {
    await (await this.channel()).deleteQueue(queue);
  }

  async deleteExchange(exchange: string): Promise<void> {
    await (await this.channel()).deleteExchange(exchange);
  }

  async queueDepth(queue: string): Promise<number> {
    return (await (await this.channel()).checkQueue(queue)).messageCount;
  }

  /**
   * Ready messages in `queue`, or 0 when there is no such queue (checked on a channel of its own, since the
   * broker closes the channel of a check that finds nothing).
   */
  async queueDepthIfDeclared(queue: string): Promise<number> {
    await this.channel();
    let channel: Channel | undefined;
    try {
      channel = await this.link!.connection.createChannel();
      channel.on('error', () => undefined);
      return (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      if (/NOT_FOUND/.test((error as Error).message)) return 0;
      throw error;
    } finally {
      await channel?.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    if (link?.open) await link.connection.close().catch(() => undefined);
  }

  private async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish) {
    const channel = await this.channel();
    channel.publish(exchange, routingKey, content, { persistent: true, ...options });
    await channel.waitForConfirms();
  }

  private async channel(): Promise<ConfirmChannel> {
    if (this.link?.open) return this.link.channel;
    const connection = await connect(this.url);
    const channel = await connection.createConfirmChannel();
    const link: Link = { connection, channel, open: true };
    const closed = () => {
      link.open = false;
    };
    // Without listeners, an 'error' (the broker restarted under it) would crash the test process.
    for (const emitter of [connection, channel]) {
      emitter.on('error', () => undefined);
      emitter.on('close', closed);
    }
    this.link = link;
    return channel;
  }
}
