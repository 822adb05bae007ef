import type { EndpointWithSecret } from '@app/webhooks';
import { ApiProperty } from '@nestjs/swagger';
import { WebhookEndpointResponse } from './webhook-endpoint.response';

/** The answer to a registration or a rotation: the only answers that carry the secret. */
export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Ie7mDmYdWE=',
    description:
      'The signing secret, shown this once: store it where the receiver verifies signatures (Standard Webhooks ' +
      'libraries take it as it is). It is never returned again; rotate it if it is lost',
  })
  secret!: string;

  static withSecret({ endpoint, secret }: EndpointWithSecret): WebhookEndpointWithSecretResponse {
    return { ...WebhookEndpointResponse.from(endpoint), secret };
  }
}
