import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { randomBytes } from 'node:crypto';
import { SupervisedChannel } from '../connection/supervised-channel';
import { UnroutableMessageError } from '../messaging.errors';

/**
 * Header naming one publish, unique per process and publish. The broker's `basic.return` carries the message's
 * headers, so a return is matched to the very publish it answers, even when two publishes share a message id
 * (a retry and a replay of the same message, say).
 */
export const PUBLISH_ID_HEADER = 'x-publish-id';

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
 * a closed channel or the publish timeout, so the caller (the outbox relay, a retry) keeps the message and tries
 * again. The broker sends `basic.return` before the `ack` of the same message, so once the confirm is in, a
 * return for it has been seen if there is one.
 *
 * The channel is a {@link SupervisedChannel}: when the broker closes it (publishing to a deleted exchange is a
 * 404 that closes the channel), it is opened again and `setup` declares the exchanges again.
 */
export class ConfirmPublisher {
  private readonly channel: SupervisedChannel<ConfirmChannel>;
  private readonly publishIdPrefix = randomBytes(6).toString('hex');
  private nextPublish = 0;
  private readonly awaitingConfirm = new Set<string>();
  private readonly returned = new Map<string, string>();

  constructor(
    connection: AmqpConnectionManager,
    private readonly options: {
      publishTimeoutMs: number;
      /** Declares what publishing needs (the exchanges), on every (re)open of the channel. */
      setup: (channel: ConfirmChannel) => Promise<void>;
    },
  ) {
    this.channel = new SupervisedChannel<ConfirmChannel>(connection, {
      name: 'publishing',
      confirm: true,
      setup: async (channel) => {
        channel.on('return', (message: Message) => this.onReturn(message));
        await options.setup(channel);
      },
    });
  }

  /** A channel is open and set up: publishing can proceed. */
  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    const deadline = Date.now() + this.options.publishTimeoutMs;
    const channel = await this.channel.whenOpen(this.options.publishTimeoutMs);
    const publishId = `${this.publishIdPrefix}-${(this.nextPublish++).toString(36)}`;
    const options: Options.Publish = {
      messageId: message.messageId,
      type: message.type ?? message.routingKey,
      headers: { ...message.headers, [PUBLISH_ID_HEADER]: publishId },
      timestamp: Math.floor((message.timestamp ?? new Date()).getTime() / 1000),
      contentType: message.contentType ?? 'application/json',
      persistent: true,
      mandatory: true,
      ...(message.expirationMs === undefined ? {} : { expiration: String(message.expirationMs) }),
    };
    this.awaitingConfirm.add(publishId);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          // Throws at once when the channel has just closed; otherwise the confirm (or the close) calls back.
          channel.publish(message.exchange, message.routingKey, message.body, options, (error) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
          );
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no publisher confirm within ${this.options.publishTimeoutMs} ms`)),
            Math.max(0, deadline - Date.now()),
          );
        }),
      ]);
      const reply = this.returned.get(publishId);
      if (reply !== undefined) throw new UnroutableMessageError(message.exchange, message.routingKey, reply);
    } finally {
      clearTimeout(timer);
      this.awaitingConfirm.delete(publishId);
      this.returned.delete(publishId);
    }
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private onReturn(message: Message): void {
    const publishId: unknown = message.properties.headers?.[PUBLISH_ID_HEADER];
    const fields = message.fields as unknown as { replyCode?: number; replyText?: string };
    if (typeof publishId === 'string' && this.awaitingConfirm.has(publishId)) {
      this.returned.set(publishId, `${fields.replyCode ?? ''} ${fields.replyText ?? ''}`.trim());
    }
  }
}
