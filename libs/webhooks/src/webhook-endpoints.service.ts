import { AppConfig } from '@app/config';
import { DatabaseConnector } from '@app/database';
import { SecretBox } from '@app/secrets';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WebhookCursor } from './webhook-cursor';
import { WebhookAddressGuard } from './webhook-address.guard';
import { WebhookDeliveryRepository, type WebhookDeliveryWithAttempts } from './webhook-delivery.repository';
import type { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import type { WebhookEventType } from './webhook-events';
import { generateWebhookSecret } from './webhook-secret';
import { WebhookEndpointNotFoundError } from './webhooks.errors';

/** The context a secret is sealed for: its endpoint (a sealed secret copied to another row does not open). */
export const secretContext = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** An endpoint with the secret that was just generated for it: the only time a secret leaves the service. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Administration of webhook endpoints: registration (the URL through the SSRF guard, a new secret sealed at rest),
 * listing, deletion (its pending deliveries become recorded no-ops) and secret rotation; and the delivery log.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);
  private readonly graceMs: number;

  constructor(
    config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConnector,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly guard: WebhookAddressGuard,
    private readonly secrets: SecretBox,
  ) {
    this.graceMs = config.webhooks.secretRotationGraceMs;
  }

  /** @throws WebhookUrlNotAllowedError */
  async create(url: string, events: WebhookEventType[]): Promise<EndpointWithSecret> {
    const normalised = await this.guard.checkUrl(url);
    this.database.assertConnected();
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const endpoint = await this.endpoints.insert({
      id,
      url: normalised,
      events: [...new Set(events)],
      secretCiphertext: this.secrets.encrypt(secret, secretContext(id)),
    });
    this.logger.log(`webhook endpoint ${id} registered for ${endpoint.events.join(', ')}`);
    return { endpoint, secret };
  }

  async list(limit: number, cursor?: string): Promise<Page<WebhookEndpoint>> {
    const after = cursor === undefined ? undefined : WebhookCursor.decode(cursor);
    this.database.assertConnected();
    const rows = await this.endpoints.findPage(limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? WebhookCursor.after(last) : null };
  }

  /** @throws WebhookEndpointNotFoundError */
  async get(id: string): Promise<WebhookEndpoint> {
    this.database.assertConnected();
    const endpoint = await this.endpoints.findLive(id);
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    return endpoint;
  }

  /**
   * Deletes the endpoint: gone from the API, its secrets wiped, its pending deliveries skipped (a step message
   * already on its way finds them skipped and sends nothing).
   * @throws WebhookEndpointNotFoundError
   */
  async delete(id: string): Promise<void> {
    this.database.assertConnected();
    const skipped = await this.dataSource.transaction(async (manager) => {
      if (!(await this.endpoints.lockLive(manager, id))) throw new WebhookEndpointNotFoundError(id);
      await this.endpoints.markDeleted(manager, id);
      return this.deliveries.skipPendingOfEndpoint(manager, id, 'the endpoint was deleted');
    });
    this.logger.log(`webhook endpoint ${id} deleted; ${skipped} pending deliveries skipped`);
  }

  /**
   * A new secret. The previous one keeps signing, next to it, for WEBHOOK_SECRET_ROTATION_GRACE (the one before
   * it, if still in its grace period, stops now).
   * @throws WebhookEndpointNotFoundError
   */
  async rotateSecret(id: string): Promise<EndpointWithSecret> {
    this.database.assertConnected();
    const secret = generateWebhookSecret();
    const endpoint = await this.dataSource.transaction(async (manager) => {
      if (!(await this.endpoints.lockLive(manager, id))) throw new WebhookEndpointNotFoundError(id);
      const current = (await this.endpoints.findWithSecrets(manager, id))?.secrets?.current;
      const previous =
        current && this.graceMs > 0
          ? { sealed: current, expiresAt: new Date(Date.now() + this.graceMs) }
          : null;
      return this.endpoints.rotateSecret(
        manager,
        id,
        this.secrets.encrypt(secret, secretContext(id)),
        previous,
      );
    });
    this.logger.log(`webhook endpoint ${id}: secret rotated`);
    return { endpoint, secret };
  }

  /**
   * The endpoint's deliveries, newest first, with their attempts.
   * @throws WebhookEndpointNotFoundError, InvalidWebhookCursorError
   */
  async deliveryLog(
    endpointId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<WebhookDeliveryWithAttempts>> {
    const after = cursor === undefined ? undefined : WebhookCursor.decode(cursor);
    await this.get(endpointId);
    const rows = await this.deliveries.findPage(endpointId, limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1)?.delivery;
    return { items, nextCursor: rows.length > limit && last ? WebhookCursor.after(last) : null };
  }
}
