import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, webhookSigningKey } from './webhook-secret';
import { WebhookSigner } from './webhook.signer';

describe('WebhookSigner', () => {
  it('when signing, then the signature is the one another implementation (standardwebhooks) computes', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Ie7mDmYdWE=';
    const key = webhookSigningKey(secret);

    const headers = WebhookSigner.sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
      [key],
    );

    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': new Webhook(secret).sign(
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        new Date(1614265330 * 1000),
        '{"test": 2432232314}',
      ),
    });
    expect(headers['webhook-signature']).toBe('v1,w7ugXdAycWL+PrUbkK0eA+v+xsbsdSc5+DbSpWTcTuQ=');
  });

  it('when signed with two keys, then the standardwebhooks library verifies with either secret, and not with a third', () => {
    const [current, previous, other] = [
      generateWebhookSecret(),
      generateWebhookSecret(),
      generateWebhookSecret(),
    ];
    const body = JSON.stringify({ type: 'user.registered', timestamp: new Date().toISOString(), data: {} });

    const headers = WebhookSigner.sign('9a1e5c3b-7d2f-4b6a-8e1c-2f4d6b8a0c3e', new Date(), body, [
      webhookSigningKey(current),
      webhookSigningKey(previous),
    ]);

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(other).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow();
  });

  it('when a secret is generated, then it is whsec_ and 32 random bytes in base64', () => {
    const secret = generateWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSigningKey(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});
