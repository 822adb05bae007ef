import { DependencyUnavailableError } from '@app/errors';
import type { Channel, ConsumeMessage, MessageProperties, XDeath } from 'amqplib';
import { EventEmitter } from 'node:events';
import type { ConfirmPublisher, OutgoingMessage } from './confirm.publisher';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { ConsumerChannel, RmqDelivery } from '../consuming/rmq-delivery';
import type { ConsumerQueue } from '../topology/consumer-queue';
import { topologyNames } from '../topology/topology-names';

const names = topologyNames('spec');
const MESSAGE_ID = 'f3b1f7a2-6a55-4a0e-9a43-3f3b3c1f1a01';
const queue: ConsumerQueue = {
  name: 'spec.step.provision-account',
  role: 'work',
  pattern: 'provision-account',
  bindings: [],
  accepts: ['user.registered'],
  prefetch: 1,
};

class FakeChannel extends EventEmitter {
  readonly ack = jest.fn();
  readonly nack = jest.fn();
}

function deliveryWith(properties: Partial<MessageProperties>, routingKey = 'user.registered'): RmqDelivery {
  const message: ConsumeMessage = {
    content: Buffer.from('{"userId":"42"}'),
    fields: {
      deliveryTag: 7,
      redelivered: true,
      exchange: names.eventsExchange,
      routingKey,
      consumerTag: 'ctag',
    },
    properties: { contentType: 'application/json', headers: {}, ...properties } as MessageProperties,
  };
  return new RmqDelivery(message, new ConsumerChannel(new FakeChannel() as unknown as Channel), queue);
}

async function deadLetter(delivery: RmqDelivery, error: unknown): Promise<OutgoingMessage> {
  const publish = jest.fn<Promise<void>, [OutgoingMessage]>().mockResolvedValue(undefined);
  const publisher = new DeadLetterPublisher({ publish } as unknown as ConfirmPublisher, names);
  await publisher.publish(delivery, error, 3);
  expect(publish).toHaveBeenCalledTimes(1);
  return publish.mock.calls[0][0];
}

describe('DeadLetterPublisher', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('when a message failed, then it goes to the dead-letter exchange with its routing key, id, type and body', async () => {
    const delivery = deliveryWith({ messageId: MESSAGE_ID, type: 'user.registered' });

    const sent = await deadLetter(delivery, new Error('handler broke'));

    expect(sent).toMatchObject({
      exchange: names.deadLetterExchange,
      routingKey: 'user.registered',
      messageId: MESSAGE_ID,
      type: 'user.registered',
      contentType: 'application/json',
    });
    expect(sent.body.equals(delivery.message.content)).toBe(true);
    expect(sent.headers).toMatchObject({
      'x-attempts': 3,
      'x-original-exchange': names.eventsExchange,
      'x-original-routing-key': 'user.registered',
    });
  });

  it.each([
    ['a domain error', new DependencyUnavailableError('PostgreSQL'), 'DEPENDENCY_UNAVAILABLE'],
    ['a plain Error', new Error('boom'), 'HANDLER_FAILED'],
    ['a thrown string', 'boom', 'HANDLER_FAILED'],
  ])('when the failure is %s, then x-error-code is %p', async (_case, error, code) => {
    const sent = await deadLetter(deliveryWith({ messageId: MESSAGE_ID }), error);

    expect(sent.headers?.['x-error-code']).toBe(code);
  });

  it('when the error message and stack are huge, then they are cut to 1000 and 2000 characters', async () => {
    const error = new Error('m'.repeat(5_000));
    error.stack = 's'.repeat(5_000);

    const sent = await deadLetter(deliveryWith({ messageId: MESSAGE_ID }), error);

    expect(sent.headers?.['x-error-message']).toBe('m'.repeat(1_000));
    expect(sent.headers?.['x-error-stack']).toBe('s'.repeat(2_000));
  });

  it('when the message failed before, then the first failure time is kept and the last one is now', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00.000Z') });
    const firstFailureAt = '2026-01-01T00:00:00.000Z';
    const delivery = deliveryWith({
      messageId: MESSAGE_ID,
      headers: { 'x-first-failure-at': firstFailureAt },
    });

    const sent = await deadLetter(delivery, new Error('again'));

    expect(sent.headers?.['x-first-failure-at']).toBe(firstFailureAt);
    expect(sent.headers?.['x-last-failure-at']).toBe('2026-03-01T12:00:00.000Z');
  });

  it('when a retried message lost its type, then it is routed by its original routing key', async () => {
    const headers = { 'x-original-routing-key': 'user.registered', 'x-original-exchange': 'spec.events' };
    const delivery = deliveryWith({ messageId: MESSAGE_ID, type: undefined, headers }, 'spec.retry.5s');

    const sent = await deadLetter(delivery, new Error('x'));

    expect(sent.routingKey).toBe('user.registered');
    expect(sent.headers?.['x-original-routing-key']).toBe('user.registered');
  });

  it('when the message fails for the first time, then the first and last failure times are the same', async () => {
    const sent = await deadLetter(deliveryWith({ messageId: MESSAGE_ID }), new Error('once'));

    expect(sent.headers?.['x-first-failure-at']).toBe(sent.headers?.['x-last-failure-at']);
  });

  it('when the message carries x-death and x-request-id, then x-death is dropped and x-request-id kept', async () => {
    const death: XDeath = {
      count: 1,
      reason: 'rejected',
      queue: queue.name,
      time: { '!': 'timestamp', value: 1_767_225_600 },
      exchange: names.eventsExchange,
      'routing-keys': ['user.registered'],
    };
    const headers = { 'x-death': [death], 'x-request-id': 'req-42' };

    const sent = await deadLetter(deliveryWith({ messageId: MESSAGE_ID, headers }), new Error('x'));

    expect(sent.headers).not.toHaveProperty('x-death');
    expect(sent.headers?.['x-request-id']).toBe('req-42');
  });

  it('when the message has no messageId, then the dead letter is identified by a hash of its content, the same each time', async () => {
    const first = await deadLetter(deliveryWith({ messageId: undefined }), new Error('x'));
    const second = await deadLetter(deliveryWith({ messageId: undefined }), new Error('y'));

    expect(first.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.messageId).toBe(first.messageId);
  });

  it('when the broker refuses the dead letter, then publish rejects with that error', async () => {
    const refusal = new Error('nacked');
    const publish = jest.fn().mockRejectedValue(refusal);
    const publisher = new DeadLetterPublisher({ publish } as unknown as ConfirmPublisher, names);

    await expect(publisher.publish(deliveryWith({ messageId: MESSAGE_ID }), new Error('x'), 1)).rejects.toBe(
      refusal,
    );
  });
});
