import { ApiProblem } from '@app/http-problems';
import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { WebhookDeliveryPageResponse } from './dto/webhook-delivery-page.response';
import { WebhookDeliveryResponse } from './dto/webhook-delivery.response';
import { WebhookEndpointPageResponse } from './dto/webhook-endpoint-page.response';
import { WebhookEndpointWithSecretResponse } from './dto/webhook-endpoint-with-secret.response';
import { WebhookEndpointResponse } from './dto/webhook-endpoint.response';

const notFound = () =>
  ApiProblem(404, 'WEBHOOK_ENDPOINT_NOT_FOUND', 'No endpoint with this id (or it was deleted)');
const badCursor = () => ApiProblem(400, 'INVALID_CURSOR', 'The cursor is not one this API issued');

/** OpenAPI documentation of the webhook routes, kept out of the controller so that it reads as routing. */
export const WebhookDocs = {
  create: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Register a webhook endpoint',
        description:
          'Every event of the listed types is POSTed to the URL, signed per the Standard Webhooks spec ' +
          '(`webhook-id`, `webhook-timestamp`, `webhook-signature`). The answer carries the signing secret ' +
          '(`whsec_…`), this once only. The URL must be `https` and its host must not be, or resolve to, a ' +
          'loopback, private or link-local address (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS); a name that does not ' +
          'resolve yet is accepted and checked again at every delivery.',
      }),
      ApiCreatedResponse({ type: WebhookEndpointWithSecretResponse, description: 'Registered' }),
      ApiProblem(
        400,
        'VALIDATION_FAILED',
        'Not an absolute http(s) URL, or an unknown or repeated event type',
      ),
      ApiProblem(
        400,
        'WEBHOOK_URL_NOT_ALLOWED',
        'Not https, credentials in the URL, or a loopback, private or link-local address',
      ),
    ),
  list: () =>
    applyDecorators(
      ApiOperation({ summary: 'List webhook endpoints', description: 'Oldest first, cursor-paginated.' }),
      ApiOkResponse({ type: WebhookEndpointPageResponse }),
      badCursor(),
    ),
  get: () =>
    applyDecorators(
      ApiOperation({ summary: 'Get a webhook endpoint (never its secret)' }),
      ApiOkResponse({ type: WebhookEndpointResponse }),
      notFound(),
    ),
  delete: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Delete a webhook endpoint',
        description:
          'Nothing is sent to it any more: its pending deliveries become recorded no-ops (`skipped`), and its ' +
          'secrets are wiped.',
      }),
      ApiNoContentResponse({ description: 'Deleted' }),
      notFound(),
    ),
  rotateSecret: () =>
    applyDecorators(
      ApiOperation({
        summary: "Rotate an endpoint's signing secret",
        description:
          'Answers the new secret, this once. For WEBHOOK_SECRET_ROTATION_GRACE (24 h by default) deliveries ' +
          'carry two signatures, with the new secret and with the previous one, so that the receiver can switch ' +
          'without losing a delivery.',
      }),
      ApiOkResponse({ type: WebhookEndpointWithSecretResponse, description: 'The new secret' }),
      notFound(),
    ),
  deliveries: () =>
    applyDecorators(
      ApiOperation({
        summary: "An endpoint's delivery log",
        description:
          'Its deliveries, newest first, cursor-paginated, each with its attempts (status code, duration, error, ' +
          'time), failed attempts included.',
      }),
      ApiOkResponse({ type: WebhookDeliveryPageResponse }),
      badCursor(),
      notFound(),
    ),
  redeliver: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Deliver again',
        description:
          'Sends the delivery once more (a new step through the outbox), with the same `webhook-id`, so a ' +
          'receiver that had it already can tell. The payload is built anew from the user as it is then.',
      }),
      ApiAcceptedResponse({ type: WebhookDeliveryResponse, description: 'Pending again' }),
      notFound(),
      ApiProblem(404, 'WEBHOOK_DELIVERY_NOT_FOUND', 'The endpoint has no delivery with this id'),
      ApiProblem(409, 'WEBHOOK_DELIVERY_PENDING', 'It is on its way already (sent, or waiting for a retry)'),
    ),
};
