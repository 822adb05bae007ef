import { DomainError } from '@app/errors';
import { SecretBox } from '@app/secrets';
import { USER_EVENTS, type User } from '@app/users';
import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import type { DeliverWebhookCommand } from './deliver-webhook.command';
import type { WebhookAttemptOutcome } from './webhook-delivery-attempt.entity';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { secretContext } from './webhook-endpoints.service';
import { webhookPayload } from './webhook-payload';
import { webhookSigningKey } from './webhook-secret';
import { WebhookSender } from './webhook.sender';
import { WebhookSigner } from './webhook.signer';
import { WebhookMetrics } from './webhook.metrics';

/** A delivery ready to be sent: what {@link WebhookDeliveryService.prepare} read, decrypted and built. */
export interface PreparedWebhook {
  deliveryId: string;
  endpointId: string;
  url: string;
  body: string;
  /** The signing keys: the current secret's, and the previous one's during its grace period. */
  keys: Buffer[];
}

/** Nothing to send, and why (recorded on the delivery as skipped). */
export interface SkippedWebhook {
  skip: string;
}

/**
 * The webhook side of the `deliver-webhook` step (the step itself, in libs/onboarding, brings the inbox, the
 * timeline and the transactions): {@link prepare} in the step's short transaction, {@link deliver} with no
 * transaction held, recording every attempt in the delivery log in a transaction of its own.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger('WebhookDelivery');

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly secrets: SecretBox,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
  ) {}

  /**
   * In the caller's transaction, with the user locked: the delivery is skipped (and recorded so) when its endpoint
   * was deleted, or when its user was erased and the event is not `user.erased` (no personal data goes out after
   * erasure); otherwise the endpoint's secrets are decrypted and the payload is built from the user as it is now.
   * @throws SecretUnreadableError (permanent) when a secret cannot be decrypted with the configured keys
   */
  async prepare(
    manager: EntityManager,
    command: DeliverWebhookCommand,
    user: User,
  ): Promise<PreparedWebhook | SkippedWebhook> {
    const delivery = await this.deliveries.lock(manager, command.deliveryId);
    if (!delivery) return { skip: `there is no delivery ${command.deliveryId}` };
    const found = await this.endpoints.findWithSecrets(manager, delivery.endpointId);
    const skip = (reason: string) => this.skip(manager, delivery.id, delivery.endpointId, reason);
    if (!found || found.endpoint.deletedAt || !found.secrets) return skip('the endpoint was deleted');
    if (delivery.status === 'skipped') return skip(delivery.skippedReason ?? 'the delivery was skipped');
    if (user.status === 'erased' && delivery.eventType !== USER_EVENTS.erased) {
      return skip('the user was erased');
    }
    const context = secretContext(delivery.endpointId);
    const { current, previous } = found.secrets;
    const sealed = [current, ...(previous && previous.expiresAt > new Date() ? [previous.sealed] : [])];
    const keys = sealed.map((secret) => webhookSigningKey(this.secrets.decrypt(secret, context)));
    const payload = webhookPayload(
      delivery.eventType as DeliverWebhookCommand['eventType'],
      delivery.eventPayload,
      delivery.occurredAt,
      user,
    );
    return {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      url: found.endpoint.url,
      body: JSON.stringify(payload),
      keys,
    };
  }

  /**
   * Signs and sends one attempt (no transaction or lock held), then records it in the delivery log, whatever its
   * outcome, in a transaction of its own. `isLastAttempt`: no retry follows a failure of this one, so a
   * transient failure counts (and is recorded) as failed.
   * @throws WebhookDeliveryError (or whatever else went wrong), after recording it
   */
  async deliver(prepared: PreparedWebhook, stepMessageId: string, isLastAttempt: boolean): Promise<void> {
    const startedAt = new Date();
    const started = performance.now();
    const headers = WebhookSigner.sign(prepared.deliveryId, startedAt, prepared.body, prepared.keys);
    try {
      const statusCode = await this.sender.send({ url: prepared.url, body: prepared.body, headers });
      const durationMs = performance.now() - started;
      this.metrics.attempted(prepared.endpointId, 'delivered', durationMs / 1000);
      await this.record(prepared, stepMessageId, 'delivered', statusCode, null, durationMs, startedAt);
    } catch (error) {
      const durationMs = performance.now() - started;
      const permanent = error instanceof DomainError && error.kind === 'permanent';
      const outcome = permanent || isLastAttempt ? 'failed' : 'retrying';
      this.metrics.attempted(
        prepared.endpointId,
        outcome === 'failed' ? 'failed' : 'retried',
        durationMs / 1000,
      );
      const statusCode = (error as { statusCode?: unknown }).statusCode;
      await this.record(
        prepared,
        stepMessageId,
        outcome,
        typeof statusCode === 'number' ? statusCode : null,
        error instanceof Error ? error.message : String(error),
        durationMs,
        startedAt,
      );
      throw error;
    }
  }

  private async skip(
    manager: EntityManager,
    deliveryId: string,
    endpointId: string,
    reason: string,
  ): Promise<SkippedWebhook> {
    await this.deliveries.markSkipped(manager, deliveryId, reason);
    this.metrics.skipped(endpointId);
    return { skip: reason };
  }

  /** Best effort, like the runner's record of a failed attempt: the attempt's own outcome is what counts. */
  private async record(
    prepared: PreparedWebhook,
    stepMessageId: string,
    outcome: WebhookAttemptOutcome,
    statusCode: number | null,
    error: string | null,
    durationMs: number,
    startedAt: Date,
  ): Promise<void> {
    try {
      await this.dataSource.transaction((manager) =>
        this.deliveries.recordAttempt(manager, {
          deliveryId: prepared.deliveryId,
          stepMessageId,
          outcome,
          statusCode,
          error: error?.slice(0, 1000) ?? null,
          durationMs: Math.round(durationMs),
          startedAt,
        }),
      );
    } catch (recordError) {
      this.logger.warn(
        `could not record attempt (${outcome}) of webhook delivery ${prepared.deliveryId}: ${(recordError as Error).message}`,
      );
    }
  }
}
