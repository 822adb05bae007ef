import { AppConfig } from '@app/config';
import dns from 'node:dns';
import { isPublicAddress, WebhookAddressGuard } from './webhook-address.guard';
import { WebhookDeliveryError, WebhookUrlNotAllowedError } from './webhooks.errors';

const guard = (allowPrivate = false) =>
  new WebhookAddressGuard(AppConfig.load({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: String(allowPrivate) }));

/** DNS is the edge here: answers are scripted (no query leaves the machine). */
const answerDns = (addresses: string[]) =>
  jest.spyOn(dns, 'lookup').mockImplementation(((
    _host: string,
    _options: unknown,
    callback: (error: Error | null, addresses: dns.LookupAddress[]) => void,
  ) => {
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof dns.lookup);

describe('webhook SSRF guard', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['10.0.0.1', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['192.0.2.1', false],
    ['64:ff9b::7f00:1', false],
    ['not an address', false],
  ])('when the address is %s, then it is public: %p', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it.each([
    'https://2130706433/x',
    'https://0x7f.1/x',
    'https://127.1/x',
    'https://[0:0:0:0:0:ffff:7f00:1]/x',
    'https://LOCALHOST./x',
  ])('when the host %s is a loopback address in disguise, then it is refused', async (url) => {
    await expect(guard().checkUrl(url)).rejects.toThrow(WebhookUrlNotAllowedError);
  });

  it('when a name resolves to any non-public address, then registration refuses it, naming the address', async () => {
    answerDns(['93.184.215.14', '10.0.0.7']);

    await expect(guard().checkUrl('https://mixed.example/hook')).rejects.toThrow(
      /mixed\.example resolves to 10\.0\.0\.7/,
    );
  });

  it('when a name does not resolve, then registration accepts it (every delivery checks again)', async () => {
    jest
      .spyOn(dns, 'lookup')
      .mockImplementation(((_h: string, _o: unknown, callback: (e: Error) => void) =>
        callback(
          Object.assign(new Error('not found'), { code: 'ENOTFOUND' }),
        )) as unknown as typeof dns.lookup);

    await expect(guard().checkUrl('https://later.example/hook')).resolves.toBe('https://later.example/hook');
  });

  it('when private networks are allowed, then loopback and plain http pass, and no lookup is replaced', async () => {
    const open = guard(true);

    await expect(open.checkUrl('http://127.0.0.1:8080/hook')).resolves.toBe('http://127.0.0.1:8080/hook');
    expect(open.lookup).toBeUndefined();
    await expect(open.checkUrl('ftp://127.0.0.1/x')).rejects.toThrow(/only http and https/);
  });

  it('when the connection resolves a name to a private address, then the lookup fails with a permanent refusal', async () => {
    answerDns(['127.0.0.1']);
    const lookup = guard().lookup!;

    const error = await new Promise<unknown>((resolve) =>
      lookup('rebound.example', { all: true }, (failure) => resolve(failure)),
    );

    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).toMatchObject({ code: 'WEBHOOK_ADDRESS_NOT_ALLOWED', kind: 'permanent' });
  });

  it('when the connection resolves a name to public addresses, then it gets exactly those (one, or all)', async () => {
    answerDns(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
    const lookup = guard().lookup!;

    const all = await new Promise<unknown>((resolve) =>
      lookup('public.example', { all: true }, (_error, addresses) => resolve(addresses)),
    );
    const one = await new Promise<unknown[]>((resolve) =>
      lookup('public.example', {}, (_error, address, family) => resolve([address, family])),
    );

    expect(all).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(one).toEqual(['93.184.215.14', 4]);
  });
});
