import { queueName, topologyNames } from '@app/messaging';
import { connect, GetMessage, Options } from 'amqplib';

/** Direct access to the test's own exchanges and queues, to inject messages and read dead letters. */
export class BrokerProbe {
  private constructor(
    private readonly connection: Awaited<ReturnType<typeof connect>>,
    private readonly channel: Awaited<
      ReturnType<Awaited<ReturnType<typeof connect>>['createConfirmChannel']>
    >,
    private readonly prefix: string,
  ) {}

  static async open(url: string, prefix: string): Promise<BrokerProbe> {
    const connection = await connect(url);
    // Fault tests restart the broker under it: an 'error' without a listener would crash the test process.
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new BrokerProbe(connection, channel, prefix);
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
    this.channel.publish(this.names.eventsExchange, routingKey, content, { persistent: true, ...options });
    await this.channel.waitForConfirms();
  }

  /** Takes every message currently in the dead-letter queue (acking them). */
  async drainDeadLetters(): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await this.channel.get(this.names.deadLetterQueue, { noAck: true });
      if (!message) return messages;
      messages.push(message);
    }
  }

  async deleteQueue(queue: string): Promise<void> {
    await this.channel.deleteQueue(queue);
  }

  async queueDepth(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /**
   * Ready messages in `queue`, or 0 when there is no such queue (checked on a channel of its own, since the
   * broker closes the channel of a check that finds nothing).
   */
  async queueDepthIfDeclared(queue: string): Promise<number> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch {
      return 0;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}
