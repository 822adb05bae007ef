import { AppConfig } from '@app/config';
import dns from 'node:dns';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookAddressGuard } from './webhook-address.guard';
import { retryAfterMs, WebhookSender } from './webhook.sender';
import { WebhookDeliveryError } from './webhooks.errors';

const headers = { 'webhook-id': 'id', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

describe('WebhookSender', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  let answer = 200;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      request.resume();
      response.writeHead(answer, answer === 429 ? { 'retry-after': '7' } : {}).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterEach(() => jest.restoreAllMocks());

  const sender = (allowPrivate: boolean) => {
    const config = AppConfig.load({
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: String(allowPrivate),
      WEBHOOK_TIMEOUT_MS: '1000',
    });
    return new WebhookSender(config, new WebhookAddressGuard(config));
  };

  it.each([
    [200, undefined],
    [429, 'WEBHOOK_RECEIVER_ERROR'],
    [500, 'WEBHOOK_RECEIVER_ERROR'],
    [404, 'WEBHOOK_REJECTED'],
    [301, 'WEBHOOK_REDIRECTED'],
  ])('when the endpoint answers %p, then the outcome is %p', async (status, code) => {
    const client = sender(true);
    answer = status;
    try {
      const sent = client.send({ url: `http://127.0.0.1:${port}/hook`, body: '{}', headers });
      if (code === undefined) await expect(sent).resolves.toBe(200);
      else await expect(sent).rejects.toMatchObject({ code, statusCode: status });
    } finally {
      await client.onModuleDestroy();
    }
  });

  it('when a 429 carries Retry-After, then the failure asks for that wait', async () => {
    const client = sender(true);
    answer = 429;
    try {
      await expect(
        client.send({ url: `http://127.0.0.1:${port}/hook`, body: '{}', headers }),
      ).rejects.toMatchObject({ kind: 'transient', retryAfterMs: 7000 });
    } finally {
      await client.onModuleDestroy();
    }
  });

  it('when the guard is on, then a loopback address or a name resolving to one is refused before any connection', async () => {
    const client = sender(false);
    const before = requests;
    // DNS is the edge: the name "resolves" to the loopback address the server listens on.
    jest
      .spyOn(dns, 'lookup')
      .mockImplementation(((
        _host: string,
        _options: unknown,
        callback: (error: null, addresses: dns.LookupAddress[]) => void,
      ) => callback(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof dns.lookup);
    try {
      for (const url of [`https://127.0.0.1:${port}/hook`, `https://rebound.example:${port}/hook`]) {
        const sent = client.send({ url, body: '{}', headers });
        await expect(sent).rejects.toBeInstanceOf(WebhookDeliveryError);
        await expect(sent).rejects.toMatchObject({ code: 'WEBHOOK_ADDRESS_NOT_ALLOWED', kind: 'permanent' });
      }
      expect(requests).toBe(before);
    } finally {
      await client.onModuleDestroy();
    }
  });

  it.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('when Retry-After is %p, then the wait is %p ms', (value, expected) => {
    expect(retryAfterMs(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});
