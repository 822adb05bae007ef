import type { ConsumeMessage, MessageProperties } from 'amqplib';
import { createHash } from 'node:crypto';
import { readDeadLetter } from './received-dead-letter';

const MESSAGE_ID = '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d';
const RECEIVED_AT = new Date('2026-11-24T12:00:00.000Z');

// Headers as they come off the wire; amqplib's own type of x-death does not know every reason (delivery_limit).
type Properties = Omit<Partial<MessageProperties>, 'headers'> & { headers?: Record<string, unknown> };

function dlqMessage(
  properties: Properties,
  { routingKey = 'user.registered', body = '{"userId":"42"}' } = {},
): ConsumeMessage {
  return {
    content: Buffer.from(body),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'spec.dlx',
      routingKey,
      consumerTag: 'ctag',
    },
    properties: { headers: {}, ...properties } as unknown as MessageProperties,
  };
}

/** What the worker's DeadLetterPublisher puts on a message it dead-letters. */
const workerHeaders = {
  'x-error-code': 'USER_NOT_FOUND',
  'x-error-message': 'user 42 does not exist',
  'x-error-stack': 'UserNotFoundError: user 42 does not exist\n    at …',
  'x-attempts': 3,
  'x-first-failure-at': '2026-11-24T10:00:00.000Z',
  'x-last-failure-at': '2026-11-24T10:00:07.000Z',
  'x-original-exchange': 'spec.events',
  'x-original-routing-key': 'user.registered',
  'x-request-id': 'req-42',
};

/** The broker's history, as amqplib decodes it (timestamps in seconds). */
const death = (reason: string, extra: Record<string, unknown> = {}) => ({
  count: 1,
  reason,
  queue: 'spec.worker',
  time: { '!': 'timestamp', value: 1_795_500_000 },
  exchange: 'spec.events',
  'routing-keys': ['user.registered'],
  ...extra,
});

describe('readDeadLetter', () => {
  it('when the worker dead-lettered the message, then the reason comes from its x-error headers', () => {
    const message = dlqMessage({
      messageId: MESSAGE_ID,
      type: 'user.registered',
      contentType: 'application/json',
      headers: workerHeaders,
    });

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter).toEqual({
      messageId: MESSAGE_ID,
      occurrenceId: expect.stringMatching(/^[0-9a-f]{64}$/),
      type: 'user.registered',
      exchange: 'spec.events',
      routingKey: 'user.registered',
      contentType: 'application/json',
      body: message.content,
      headers: workerHeaders,
      errorCode: 'USER_NOT_FOUND',
      errorMessage: 'user 42 does not exist',
      errorStack: workerHeaders['x-error-stack'],
      attempts: 3,
      firstFailedAt: new Date('2026-11-24T10:00:00.000Z'),
      lastFailedAt: new Date('2026-11-24T10:00:07.000Z'),
      requestId: 'req-42',
      deadLetteredBy: 'worker',
    });
  });

  it('when the worker-dead-lettered message also carries x-death, then the history is dropped from the headers', () => {
    const message = dlqMessage({
      messageId: MESSAGE_ID,
      headers: { ...workerHeaders, 'x-death': [death('rejected')] },
    });

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter.headers).not.toHaveProperty('x-death');
    expect(deadLetter).toMatchObject({ deadLetteredBy: 'worker', errorCode: 'USER_NOT_FOUND' });
  });

  it('when header values arrive as buffers (AMQP long strings), then they are read as UTF-8 text', () => {
    const message = dlqMessage({
      messageId: MESSAGE_ID,
      headers: {
        ...workerHeaders,
        'x-error-message': Buffer.from('größer als erwartet'),
        'x-original-routing-key': Buffer.from('user.registered'),
      },
    });

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter.errorMessage).toBe('größer als erwartet');
    expect(deadLetter.routingKey).toBe('user.registered');
  });

  it('when the broker expired the message, then the code is EXPIRED and times, route and attempts come from x-death', () => {
    const message = dlqMessage(
      {
        messageId: MESSAGE_ID,
        headers: { 'x-death': [death('expired')], 'x-delivery-count': 0, 'x-request-id': 'req-7' },
      },
      { routingKey: 'user.registered' },
    );

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    const diedAt = new Date(1_795_500_000 * 1000);
    expect(deadLetter).toMatchObject({
      messageId: MESSAGE_ID,
      type: 'user.registered',
      exchange: 'spec.events',
      routingKey: 'user.registered',
      errorCode: 'EXPIRED',
      errorMessage: 'dead-lettered by the broker from spec.worker: expired',
      errorStack: undefined,
      attempts: 0,
      firstFailedAt: diedAt,
      lastFailedAt: diedAt,
      requestId: 'req-7',
      deadLetteredBy: 'broker',
    });
    expect(deadLetter.headers).toEqual({ 'x-delivery-count': 0, 'x-request-id': 'req-7' });
  });

  it('when the broker hit the delivery limit, then the code is DELIVERY_LIMIT and attempts the delivery count', () => {
    const message = dlqMessage({
      messageId: MESSAGE_ID,
      headers: { 'x-death': [death('delivery_limit')], 'x-delivery-count': 11 },
    });

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter).toMatchObject({ errorCode: 'DELIVERY_LIMIT', attempts: 11, deadLetteredBy: 'broker' });
  });

  it('when a broker dead letter was retried first, then the original routing key header wins over x-death', () => {
    const message = dlqMessage(
      {
        messageId: MESSAGE_ID,
        headers: {
          'x-death': [death('expired', { exchange: '', 'routing-keys': ['spec.worker'] })],
          'x-original-routing-key': 'user.registered',
          'x-original-exchange': 'spec.events',
        },
      },
      { routingKey: 'spec.worker' },
    );

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter).toMatchObject({ routingKey: 'user.registered', exchange: 'spec.events' });
  });

  it('when neither x-error headers nor x-death explain it, then the code is UNKNOWN and the times are the receipt', () => {
    const message = dlqMessage({ messageId: MESSAGE_ID, headers: undefined });

    const deadLetter = readDeadLetter(message, RECEIVED_AT);

    expect(deadLetter).toMatchObject({
      errorCode: 'UNKNOWN',
      attempts: 1,
      firstFailedAt: RECEIVED_AT,
      lastFailedAt: RECEIVED_AT,
      exchange: 'spec.dlx',
      deadLetteredBy: 'broker',
    });
  });

  it('when the message has no id, then its id is a stable hash of routing key and body', () => {
    const body = '{"userId":"no-id"}';
    const first = readDeadLetter(dlqMessage({ headers: workerHeaders }, { body }), RECEIVED_AT);
    const again = readDeadLetter(
      dlqMessage({ messageId: '', headers: workerHeaders }, { body }),
      RECEIVED_AT,
    );

    const expected = `sha256:${createHash('sha256').update('user.registered').update(body).digest('hex')}`;
    expect(first.messageId).toBe(expected);
    expect(again.messageId).toBe(expected);
  });

  it('when the message has no type, then its type is the routing key', () => {
    const deadLetter = readDeadLetter(dlqMessage({ messageId: MESSAGE_ID, headers: workerHeaders }));

    expect(deadLetter.type).toBe('user.registered');
  });

  describe('occurrence id', () => {
    const published = (publishId: string, extra: Record<string, unknown> = {}) =>
      dlqMessage({
        messageId: MESSAGE_ID,
        headers: { ...workerHeaders, 'x-publish-id': publishId, ...extra },
      });

    it('when the same dead letter is delivered again from the queue, then it is the same occurrence', () => {
      expect(readDeadLetter(published('p-1')).occurrenceId).toBe(
        readDeadLetter(published('p-1')).occurrenceId,
      );
    });

    it('when the message is dead-lettered again (another publish), then it is a new occurrence, whatever the clocks say', () => {
      const first = readDeadLetter(published('p-1'));
      // Same failure times, even: the producer's clock does not decide.
      const again = readDeadLetter(published('p-2'));

      expect(again.occurrenceId).not.toBe(first.occurrenceId);
    });

    it('when the broker dead-letters one publish from two queues, then those are two occurrences', () => {
      const broker = (queue: string) =>
        dlqMessage({
          messageId: MESSAGE_ID,
          headers: { 'x-publish-id': 'p-9', 'x-death': [death('expired', { queue })] },
        });

      expect(readDeadLetter(broker('spec.step.a')).occurrenceId).not.toBe(
        readDeadLetter(broker('spec.step.b')).occurrenceId,
      );
    });
  });
});
