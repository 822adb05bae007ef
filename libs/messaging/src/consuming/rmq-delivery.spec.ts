import type { Channel, ConsumeMessage, MessageProperties } from 'amqplib';
import { EventEmitter } from 'node:events';
import type { ConsumerQueue } from '../topology/consumer-queue';
import { ConsumerChannel, RmqDelivery } from './rmq-delivery';

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

function message(
  properties: Partial<MessageProperties> = {},
  routingKey = 'user.registered.retry',
): ConsumeMessage {
  return {
    content: Buffer.from('{}'),
    fields: { deliveryTag: 1, redelivered: false, exchange: 'events', routingKey, consumerTag: 'ctag' },
    properties: { headers: {}, ...properties } as MessageProperties,
  };
}

function deliveryOn(channel: FakeChannel, properties: Partial<MessageProperties> = {}) {
  return new RmqDelivery(message(properties), new ConsumerChannel(channel as unknown as Channel), queue);
}

describe('RmqDelivery', () => {
  it('when acked on an open channel, then the ack is sent once and reported as sent', () => {
    const channel = new FakeChannel();
    const delivery = deliveryOn(channel);

    const sent = delivery.ack();

    expect(sent).toBe(true);
    expect(delivery.isSettled).toBe(true);
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.ack).toHaveBeenCalledWith(delivery.message);
  });

  it('when requeued, then it is nacked with requeue and not acked', () => {
    const channel = new FakeChannel();
    const delivery = deliveryOn(channel);

    const sent = delivery.requeue();

    expect(sent).toBe(true);
    expect(channel.nack).toHaveBeenCalledWith(delivery.message, false, true);
    expect(channel.ack).not.toHaveBeenCalled();
  });

  it('when already settled, then a second ack or a requeue sends nothing and returns false', () => {
    const channel = new FakeChannel();
    const delivery = deliveryOn(channel);
    delivery.ack();

    const secondAck = delivery.ack();
    const requeue = delivery.requeue();

    expect([secondAck, requeue]).toEqual([false, false]);
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('when the channel it came on has closed, then the ack is not sent and returns false', () => {
    const channel = new FakeChannel();
    const delivery = deliveryOn(channel);
    channel.emit('close');

    const sent = delivery.ack();

    expect(sent).toBe(false);
    expect(channel.ack).not.toHaveBeenCalled();
  });

  it('when the channel closes during the ack (IllegalOperationError), then the ack returns false', () => {
    const channel = new FakeChannel();
    channel.ack.mockImplementation(() => {
      throw Object.assign(new Error('Channel closed'), { name: 'IllegalOperationError' });
    });
    const delivery = deliveryOn(channel);

    const sent = delivery.ack();

    expect(sent).toBe(false);
  });

  it('when the ack fails for another reason, then the error propagates', () => {
    const channel = new FakeChannel();
    channel.ack.mockImplementation(() => {
      throw new TypeError('unexpected');
    });
    const delivery = deliveryOn(channel);

    const ack = () => delivery.ack();

    expect(ack).toThrow(TypeError);
  });

  it.each([
    [
      'the type property',
      { type: 'user.registered', headers: { 'x-original-routing-key': 'other' } },
      'user.registered',
    ],
    [
      'the original routing key header',
      { type: '', headers: { 'x-original-routing-key': 'user.registered' } },
      'user.registered',
    ],
    ['the routing key', { headers: {} }, 'user.registered.retry'],
    ['the routing key (no headers at all)', { headers: undefined }, 'user.registered.retry'],
  ])('when the best source of the event type is %s, then it is used', (_source, properties, expected) => {
    const delivery = deliveryOn(new FakeChannel(), properties);

    expect(delivery.eventType).toBe(expected);
  });

  it.each([
    ['', undefined],
    [undefined, undefined],
    ['d6a0c1de-0b9c-4f4e-8f61-1f0f1f7b1a11', 'd6a0c1de-0b9c-4f4e-8f61-1f0f1f7b1a11'],
  ])('when the messageId property is %p, then messageId is %p', (messageId, expected) => {
    const delivery = deliveryOn(new FakeChannel(), { messageId });

    expect(delivery.messageId).toBe(expected);
  });

  it('when the x-request-id header is a string, then it is the request id', () => {
    const delivery = deliveryOn(new FakeChannel(), { headers: { 'x-request-id': 'req-42' } });

    expect(delivery.requestId).toBe('req-42');
  });
});
