import { DomainError, FailureKind } from '@app/errors';

export class WebhookEndpointNotFoundError extends DomainError {
  readonly code = 'WEBHOOK_ENDPOINT_NOT_FOUND';
  readonly kind = 'permanent';

  constructor(readonly endpointId: string) {
    super(`there is no webhook endpoint ${endpointId}`);
  }
}

export class WebhookDeliveryNotFoundError extends DomainError {
  readonly code = 'WEBHOOK_DELIVERY_NOT_FOUND';
  readonly kind = 'permanent';

  constructor(readonly deliveryId: string) {
    super(`the endpoint has no delivery ${deliveryId}`);
  }
}

/** A redelivery of a delivery that is on its way already (sent, or waiting for a retry). */
export class WebhookDeliveryPendingError extends DomainError {
  readonly code = 'WEBHOOK_DELIVERY_PENDING';
  readonly kind = 'permanent';

  constructor(readonly deliveryId: string) {
    super(`delivery ${deliveryId} is pending already; redeliver it once it is delivered, failed or skipped`);
  }
}

/**
 * The SSRF guard (or the scheme rule) refuses an endpoint URL: not https, credentials in it, or a host that is or
 * resolves to a loopback, private, link-local or otherwise non-public address.
 */
export class WebhookUrlNotAllowedError extends DomainError {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
  readonly kind = 'permanent';

  constructor(readonly reason: string) {
    super(`the webhook URL is not allowed: ${reason}`);
  }
}

/** A cursor of the webhooks lists that this service did not issue. */
export class InvalidWebhookCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
  readonly kind = 'permanent';

  constructor() {
    super('the cursor is malformed; use the nextCursor of a previous page');
  }
}

/** Why one attempt to deliver failed, classified at the edge (see {@link WebhookDeliveryError}). */
export type WebhookFailureCode =
  | 'WEBHOOK_RECEIVER_ERROR'
  | 'WEBHOOK_REJECTED'
  | 'WEBHOOK_REDIRECTED'
  | 'WEBHOOK_TIMEOUT'
  | 'WEBHOOK_UNREACHABLE'
  | 'WEBHOOK_ADDRESS_NOT_ALLOWED';

const KINDS: Record<WebhookFailureCode, FailureKind> = {
  // 408, 429 and 5xx: the receiver may well take it later.
  WEBHOOK_RECEIVER_ERROR: 'transient',
  // Other 4xx: the same request will be refused again.
  WEBHOOK_REJECTED: 'permanent',
  // Redirects are never followed (a redirect to an internal address would defeat the SSRF guard), and a moved
  // endpoint stays moved: the endpoint's URL must be fixed, so retrying is pointless.
  WEBHOOK_REDIRECTED: 'permanent',
  WEBHOOK_TIMEOUT: 'transient',
  WEBHOOK_UNREACHABLE: 'transient',
  // The endpoint's name resolves to an address the SSRF guard refuses: no retry will make that safe.
  WEBHOOK_ADDRESS_NOT_ALLOWED: 'permanent',
};

/**
 * One attempt failed. 408, 429, 5xx, timeouts and connection errors are transient; a `Retry-After` of the
 * answer becomes `retryAfterMs`, which the retry interceptor honours (the shortest delay tier at least that
 * long). Other 4xx, redirects and refused addresses are permanent.
 */
export class WebhookDeliveryError extends DomainError {
  readonly kind: FailureKind;

  constructor(
    readonly code: WebhookFailureCode,
    message: string,
    readonly statusCode: number | null = null,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.kind = KINDS[code];
  }
}
