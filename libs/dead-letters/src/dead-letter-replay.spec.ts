import { topologyNames } from '@app/messaging';
import { replayMessage, whyNotReplayable } from './dead-letter-replay';
import type { DeadLetter } from './dead-letter.entity';
import { DeadLetterNotReplayableError } from './dead-letters.errors';

const MESSAGE_ID = '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d';
const REPLAYED_AT = new Date('2026-11-24T12:00:00.000Z');
const names = topologyNames('spec');

function deadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    messageId: MESSAGE_ID,
    type: 'user.registered',
    routingKey: 'user.registered',
    payload: { userId: '42' },
    headers: {},
    ...overrides,
  } as DeadLetter;
}

describe('whyNotReplayable', () => {
  it('when the payload is JSON and the type is the routing key, then it is replayable', () => {
    expect(whyNotReplayable(deadLetter())).toBeUndefined();
  });

  it('when there is no payload, then the body is not JSON', () => {
    expect(whyNotReplayable(deadLetter({ payload: null }))).toBe('its body is not JSON');
  });

  it('when the type differs from the routing key, then it is not replayable (the relay would change it)', () => {
    expect(whyNotReplayable(deadLetter({ type: 'user.teleported' }))).toMatch(
      /type "user.teleported" differs/,
    );
  });
});

describe('replayMessage', () => {
  it('when a dead letter is replayed, then routing key, payload and message id are the original ones', () => {
    const message = replayMessage(
      deadLetter({ exchange: names.eventsExchange }),
      names,
      REPLAYED_AT,
      'admin-req-1',
    );

    expect(message).toEqual({
      messageId: MESSAGE_ID,
      exchange: 'events',
      routingKey: 'user.registered',
      payload: { userId: '42' },
      headers: {
        'x-replay-of': MESSAGE_ID,
        'x-replayed-at': '2026-11-24T12:00:00.000Z',
        'x-replay-request-id': 'admin-req-1',
      },
    });
  });

  it("when the dead letter was a step's message, then the replay goes back to the steps exchange", () => {
    const message = replayMessage(
      deadLetter({
        exchange: names.stepsExchange,
        type: 'send-verification-email',
        routingKey: 'send-verification-email',
      }),
      names,
      REPLAYED_AT,
    );

    expect(message).toMatchObject({ exchange: 'steps', routingKey: 'send-verification-email' });
  });

  it('when the message carried failure and retry headers, then they are dropped and its own headers kept', () => {
    const headers = {
      'x-request-id': 'req-42',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'x-error-code': 'HANDLER_FAILED',
      'x-error-message': 'boom',
      'x-error-stack': 'Error: boom',
      'x-attempts': 8,
      'x-attempt': 7,
      'x-first-failure-at': '2026-11-24T10:00:00.000Z',
      'x-last-failure-at': '2026-11-24T10:05:00.000Z',
      'x-original-exchange': 'onboarding.events',
      'x-original-routing-key': 'user.registered',
      'x-last-error-code': 'HANDLER_FAILED',
      'x-last-error-message': 'boom',
      'x-delivery-count': 3,
      'x-first-death-reason': 'expired',
      'x-first-death-queue': 'onboarding.worker',
      'x-replay-of': 'older',
      'x-replay-request-id': 'older-admin-req',
      'x-publish-id': 'a1b2c3-7',
      'retry-tier': '1000ms',
    };

    const message = replayMessage(deadLetter({ headers }), names, REPLAYED_AT);

    expect(message.headers).toEqual({
      'x-request-id': 'req-42',
      traceparent: headers.traceparent,
      'x-replay-of': MESSAGE_ID,
      'x-replayed-at': '2026-11-24T12:00:00.000Z',
    });
  });

  it('when a header is not a string, then it is dropped (the outbox keeps string headers)', () => {
    const message = replayMessage(
      deadLetter({ headers: { 'x-tenant': 7, 'x-flag': true } }),
      names,
      REPLAYED_AT,
    );

    expect(Object.keys(message.headers ?? {})).toEqual(['x-replay-of', 'x-replayed-at']);
  });

  it('when the dead letter cannot be replayed, then DEAD_LETTER_NOT_REPLAYABLE', () => {
    expect(() => replayMessage(deadLetter({ payload: null }), names, REPLAYED_AT)).toThrow(
      DeadLetterNotReplayableError,
    );
  });
});
