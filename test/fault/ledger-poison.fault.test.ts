import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { LogCapture, startWorker } from '../support/apps';
import { BrokerProbe } from '../support/broker';
import { createTestEnvironment, eventually, TestEnvironment } from '../support/test-environment';
import { warningsOf } from './support/fault-settings';
import { withDiagnostics } from './support/expect-onboarded-once';
import { teardown } from './support/teardown';

interface LedgerRow {
  message_id: string;
  type: string;
  body: Buffer;
  payload: unknown;
  headers: Record<string, unknown>;
  error_code: string;
  storage_notes: string[];
  times_dead_lettered: number;
}

/**
 * Dead letters that PostgreSQL cannot store as they are (`text` and `jsonb` take no NUL character; a body may
 * be any bytes, of any size): each one still lands in the ledger, with its raw body, what had to be escaped said
 * on the row, and the consumer of the dead-letter queue goes on to the next one. Nothing cycles, nothing is
 * parked.
 */
describe('fault: dead letters PostgreSQL cannot store as they are', () => {
  let env: TestEnvironment;
  let worker: NestFastifyApplication;
  let broker: BrokerProbe;
  const logs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnvironment();
    worker = await startWorker(env.config({ LOG_LEVEL: 'info' }), { logs });
    broker = await BrokerProbe.open(env.rabbitmqUrl, env.topologyPrefix);
  });

  afterAll(async () => {
    await teardown(
      () => broker?.close(),
      () => worker?.close(),
      () => env?.cleanup(),
    );
  });

  /** A dead letter as the worker publishes one (reason in x-error headers), straight into the DLX. */
  const deadLetter = (body: Buffer, options: Options.Publish) =>
    broker.publishDeadLetter('user.registered', body, {
      type: 'user.registered',
      ...options,
      headers: {
        'x-error-code': 'MESSAGE_SCHEMA_INVALID',
        'x-error-message': 'bad',
        'x-attempts': 1,
        ...options.headers,
      },
    });

  const ledgerRow = (messageId: string) =>
    eventually(
      async () =>
        (await env.query<LedgerRow>('SELECT * FROM dead_letters WHERE message_id = $1', [messageId]))[0],
      { timeoutMs: 20_000, what: `dead letter ${messageId} in the ledger` },
    );

  it('when dead letters hold NUL characters, invalid UTF-8 and a 1 MiB body, then all three are recorded and the queue keeps moving', async () => {
    const withNul = { id: randomUUID(), body: Buffer.from('{"userId":"a\\u0000b","note":"nul inside"}') };
    const notUtf8 = { id: randomUUID(), body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x00, 0xc3]) };
    const large = {
      id: randomUUID(),
      body: Buffer.from(JSON.stringify({ userId: randomUUID(), padding: 'x'.repeat(1024 * 1024) })),
    };
    const ordinary = { id: randomUUID(), body: Buffer.from(JSON.stringify({ userId: randomUUID() })) };

    await deadLetter(withNul.body, {
      messageId: withNul.id,
      type: 'user.reg\u0000istered',
      headers: { 'x-note': 'before\u0000after', 'x-request-id': 'req\u0000id' },
    });
    await deadLetter(notUtf8.body, {
      messageId: notUtf8.id,
      headers: { 'x-bytes': Buffer.from([0xff, 0x00]) },
    });
    await deadLetter(large.body, { messageId: large.id });
    await deadLetter(ordinary.body, { messageId: ordinary.id });

    await withDiagnostics(
      () => warningsOf('worker', logs),
      async () => {
        const nulRow = await ledgerRow(withNul.id);
        expect(nulRow.body.equals(withNul.body)).toBe(true);
        expect(nulRow.type).toBe('user.reg\\u0000istered');
        expect(nulRow.headers['x-note']).toBe('before\\u0000after');
        expect(nulRow.payload).toBeNull();
        expect(nulRow.storage_notes).toEqual(
          expect.arrayContaining([
            expect.stringContaining('type: NUL'),
            expect.stringContaining('headers.x-note: NUL'),
            expect.stringContaining('payload: holds NUL'),
          ]),
        );

        const notUtf8Row = await ledgerRow(notUtf8.id);
        expect(notUtf8Row.body.equals(notUtf8.body)).toBe(true);
        expect(notUtf8Row.payload).toBeNull();
        expect(notUtf8Row.headers['x-bytes']).toEqual({
          $base64: Buffer.from([0xff, 0x00]).toString('base64'),
        });
        expect(notUtf8Row.storage_notes).toEqual([expect.stringContaining('not valid UTF-8')]);

        const largeRow = await ledgerRow(large.id);
        expect(largeRow.body.equals(large.body)).toBe(true);
        expect(largeRow.storage_notes).toEqual([]);

        const ordinaryRow = await ledgerRow(ordinary.id);
        expect(ordinaryRow.payload).toEqual(JSON.parse(ordinary.body.toString()));
        for (const row of [nulRow, notUtf8Row, largeRow, ordinaryRow])
          expect(row.times_dead_lettered).toBe(1);
      },
    );
    await eventually(async () => (await broker.queueDepth(broker.names.deadLetterQueue)) === 0, {
      what: 'an empty dead-letter queue',
    });
    expect(await broker.queueDepth(broker.names.parkedDeadLetterQueue)).toBe(0);
  });

  it('when the worker itself dead-letters a message with a NUL in its headers, then the ledger records it with its reason', async () => {
    const messageId = randomUUID();

    await broker.publishEvent(
      'user.registered',
      { userId: 'not-a-uuid' },
      {
        messageId,
        type: 'user.registered',
        headers: { 'x-request-id': 'nul', 'x-tenant': 'acme\u0000corp' },
      },
    );

    const row = await ledgerRow(messageId);
    expect(row.error_code).toBe('MESSAGE_SCHEMA_INVALID');
    expect(row.headers['x-tenant']).toBe('acme\\u0000corp');
    expect(row.storage_notes).toEqual([expect.stringContaining('headers.x-tenant: NUL')]);
  });
});
