import type { ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventEmitter } from 'node:events';
import type { ConsumerQueue } from '../topology/consumer-queue';
import { QueueConsumers } from './queue-consumers';

type Deliver = (message: ConsumeMessage | null) => void;

/** An amqplib channel as far as QueueConsumers uses it; records what it was asked to do. */
class FakeChannel extends EventEmitter {
  readonly consumed: { queue: string; prefetch: number; deliver: Deliver; tag: string }[] = [];
  readonly cancelled: string[] = [];
  private prefetchCount = 0;

  async prefetch(count: number): Promise<void> {
    this.prefetchCount = count;
  }

  async consume(queue: string, deliver: Deliver): Promise<{ consumerTag: string }> {
    const tag = `ctag-${queue}-${this.consumed.length}`;
    this.consumed.push({ queue, prefetch: this.prefetchCount, deliver, tag });
    return { consumerTag: tag };
  }

  async cancel(tag: string): Promise<void> {
    this.cancelled.push(tag);
  }

  async close(): Promise<void> {
    this.emit('close');
  }
}

/** The connection manager: `connect()` opens a new connection (a reconnect), whose channels are FakeChannels. */
class FakeConnectionManager extends EventEmitter {
  readonly channels: FakeChannel[] = [];
  connection?: { createChannel: () => Promise<FakeChannel> };

  isConnected(): boolean {
    return this.connection !== undefined;
  }

  connect(): void {
    this.connection = {
      createChannel: async () => {
        const channel = new FakeChannel();
        this.channels.push(channel);
        return channel;
      },
    };
    this.emit('connect', { connection: this.connection });
  }

  disconnect(): void {
    this.connection = undefined;
    for (const channel of this.channels) channel.emit('close');
    this.emit('disconnect', { err: new Error('gone') });
  }

  get current(): FakeChannel {
    return this.channels.at(-1)!;
  }
}

const queue = (name: string, prefetch: number): ConsumerQueue => ({
  name,
  role: 'work',
  pattern: name,
  bindings: [],
  accepts: [],
  prefetch,
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

function consumersOn(manager: FakeConnectionManager) {
  const declared: string[] = [];
  const consumers = new QueueConsumers(manager as unknown as AmqpConnectionManager, {
    queues: [queue('q.provision', 4), queue('q.email', 2)],
    declare: async () => {
      declared.push('topology');
    },
    declareQueue: async (_channel, declaredQueue) => {
      declared.push(declaredQueue.name);
    },
    onMessage: () => undefined,
  });
  return { consumers, declared };
}

describe('QueueConsumers', () => {
  it('when resumed on an open channel, then every queue gets a consumer with its own prefetch', async () => {
    const manager = new FakeConnectionManager();
    const { consumers, declared } = consumersOn(manager);
    manager.connect();
    await settle();

    await consumers.resume();

    expect(declared).toEqual(['topology']);
    expect(manager.current.consumed.map(({ queue, prefetch }) => [queue, prefetch])).toEqual([
      ['q.provision', 4],
      ['q.email', 2],
    ]);
    expect(consumers.isConsuming).toBe(true);
  });

  it('when paused, then every consumer is cancelled; resumed, they consume again', async () => {
    const manager = new FakeConnectionManager();
    const { consumers } = consumersOn(manager);
    manager.connect();
    await consumers.resume();

    await consumers.pause();

    expect(manager.current.cancelled).toHaveLength(2);
    expect(consumers.isConsuming).toBe(false);
    await consumers.resume();
    expect(manager.current.consumed).toHaveLength(4);
    expect(consumers.isConsuming).toBe(true);
  });

  it('when the broker cancels a consumer (its queue was deleted), then the queue is declared again and consumed again', async () => {
    const manager = new FakeConnectionManager();
    const { consumers, declared } = consumersOn(manager);
    manager.connect();
    await consumers.resume();
    await settle();

    manager.current.consumed[0].deliver(null);
    await settle();
    await settle();

    expect(declared).toEqual(['topology', 'q.provision']);
    expect(manager.current.consumed.map(({ queue }) => queue)).toEqual([
      'q.provision',
      'q.email',
      'q.provision',
    ]);
    expect(consumers.isConsuming).toBe(true);
  });

  it('when the connection comes back, then the new channel is set up and consumes, as it was asked to', async () => {
    const manager = new FakeConnectionManager();
    const { consumers } = consumersOn(manager);
    manager.connect();
    await consumers.resume();

    manager.disconnect();
    manager.connect();
    await settle();
    await settle();

    expect(manager.channels).toHaveLength(2);
    expect(manager.current.consumed).toHaveLength(2);
    expect(consumers.isConsuming).toBe(true);
  });

  it('when stopped (shutdown has begun), then no consumer attaches again: not on resume, a cancel or a new channel', async () => {
    const manager = new FakeConnectionManager();
    const { consumers } = consumersOn(manager);
    manager.connect();
    await consumers.resume();
    await settle();
    const first = manager.current;

    await consumers.stop();
    first.consumed[1].deliver(null);
    await consumers.resume();
    manager.disconnect();
    manager.connect();
    await settle();
    await settle();

    expect(first.consumed).toHaveLength(2);
    expect(manager.current).not.toBe(first);
    expect(manager.current.consumed).toEqual([]);
    expect(consumers.isConsuming).toBe(false);
  });
});
