import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { UnroutableMessageError } from './messaging.errors';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  /** Stable id; consumers deduplicate on it. */
  messageId: string;
  body: Buffer;
  headers?: Record<string, unknown>;
  /** Event type; defaults to the routing key. Consumers dispatch on it, since retries change the routing key. */
  type?: string;
  timestamp?: Date;
  /** Defaults to JSON; a dead letter keeps whatever its original said. */
  contentType?: string;
  /** Per-message TTL (retry tiers use it for jitter). */
  expirationMs?: number;
}

/**
 * Publishes on a confirm channel with `mandatory` set and resolves only once the broker has taken
 * responsibility for the message: confirmed (`ack`) and not returned as unroutable. Rejects on a nack, a return,
 * a closed channel or the publish timeout, so the caller (the outbox relay) keeps the message and tries again.
 *
 * The broker sends `basic.return` before the `ack` of the same message, and confirms may arrive out of publish
 * order, so returns are matched to publishes by message id.
 */
export class ConfirmPublisher {
  private readonly channel: ChannelWrapper;
  private readonly awaitingConfirm = new Set<string>();
  private readonly returned = new Map<string, string>();

  constructor(
    connection: AmqpConnectionManager,
    options: {
      publishTimeoutMs: number;
      setup: (channel: ConfirmChannel) => Promise<void>;
      /** Setup failures (the connection dropped mid-setup, a topology conflict); the next reconnect retries. */
      onError: (error: Error) => void;
    },
  ) {
    this.channel = connection.createChannel({
      confirm: true,
      json: false,
      publishTimeout: options.publishTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        channel.on('return', (message: Message) => this.onReturn(message));
        await options.setup(channel);
      },
    });
    // Without a listener, an 'error' event would be thrown and take the process down.
    this.channel.on('error', (error: Error) => options.onError(error));
  }

  async publish(message: OutgoingMessage): Promise<void> {
    const { messageId } = message;
    const options: Options.Publish = {
      messageId,
      type: message.type ?? message.routingKey,
      headers: message.headers ?? {},
      timestamp: Math.floor((message.timestamp ?? new Date()).getTime() / 1000),
      contentType: message.contentType ?? 'application/json',
      persistent: true,
      mandatory: true,
      ...(message.expirationMs === undefined ? {} : { expiration: String(message.expirationMs) }),
    };
    this.awaitingConfirm.add(messageId);
    try {
      await this.channel.publish(message.exchange, message.routingKey, message.body, options);
      const reply = this.returned.get(messageId);
      if (reply !== undefined) throw new UnroutableMessageError(message.exchange, message.routingKey, reply);
    } finally {
      this.awaitingConfirm.delete(messageId);
      this.returned.delete(messageId);
    }
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private onReturn(message: Message): void {
    const messageId = message.properties.messageId as string | undefined;
    const fields = message.fields as unknown as { replyCode?: number; replyText?: string };
    if (messageId && this.awaitingConfirm.has(messageId)) {
      this.returned.set(messageId, `${fields.replyCode ?? ''} ${fields.replyText ?? ''}`.trim());
    }
  }
}
