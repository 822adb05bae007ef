import { PreparedStatement, queryPrepared } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, IsNull, Repository } from 'typeorm';
import type { WebhookCursor } from './webhook-cursor';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export interface NewWebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  secretCiphertext: string;
}

/** The sealed secrets of an endpoint, for signing (never for an answer). */
export interface SealedSecrets {
  current: string;
  previous: { sealed: string; expiresAt: Date } | null;
}

const FIND_SUBSCRIBED_SQL = PreparedStatement.define(
  'webhook-endpoints.findSubscribed',
  `SELECT id, url FROM webhook_endpoints WHERE deleted_at IS NULL AND events @> ARRAY[$1]::text[]
  ORDER BY created_at, id`,
);

const ROTATE_SECRET_SQL = PreparedStatement.define(
  'webhook-endpoints.rotateSecret',
  `UPDATE webhook_endpoints SET secret_ciphertext = $2, previous_secret_ciphertext = $3,
    previous_secret_expires_at = $4, secret_rotated_at = clock_timestamp(), updated_at = clock_timestamp()
  WHERE id = $1`,
);

const MARK_DELETED_SQL = PreparedStatement.define(
  'webhook-endpoints.markDeleted',
  `UPDATE webhook_endpoints SET deleted_at = clock_timestamp(), updated_at = clock_timestamp(),
    secret_ciphertext = NULL, previous_secret_ciphertext = NULL, previous_secret_expires_at = NULL
  WHERE id = $1`,
);

/** Persistence of webhook endpoints. A deleted endpoint is invisible to everything but the delivery step. */
@Injectable()
export class WebhookEndpointRepository {
  constructor(@InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>) {}

  async insert(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    await this.endpoints.insert(endpoint);
    return this.endpoints.findOneByOrFail({ id: endpoint.id });
  }

  findLive(id: string): Promise<WebhookEndpoint | null> {
    return this.endpoints.findOneBy({ id, deletedAt: IsNull() });
  }

  /** A live endpoint, locked for the caller's transaction (rotation, deletion and redelivery run one at a time). */
  lockLive(manager: EntityManager, id: string): Promise<WebhookEndpoint | null> {
    return manager.findOne(WebhookEndpoint, {
      where: { id, deletedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Any endpoint, deleted or not, with its sealed secrets (null secrets once deleted). */
  async findWithSecrets(
    manager: EntityManager,
    id: string,
  ): Promise<{ endpoint: WebhookEndpoint; secrets: SealedSecrets | null } | null> {
    const endpoint = await manager
      .createQueryBuilder(WebhookEndpoint, 'endpoint')
      .addSelect(['endpoint.secretCiphertext', 'endpoint.previousSecretCiphertext'])
      .where('endpoint.id = :id', { id })
      .getOne();
    if (!endpoint) return null;
    const { secretCiphertext, previousSecretCiphertext, previousSecretExpiresAt } = endpoint;
    const secrets: SealedSecrets | null = secretCiphertext
      ? {
          current: secretCiphertext,
          previous:
            previousSecretCiphertext && previousSecretExpiresAt
              ? { sealed: previousSecretCiphertext, expiresAt: previousSecretExpiresAt }
              : null,
        }
      : null;
    return { endpoint, secrets };
  }

  /** Live endpoints after `after` in `(createdAt, id)` order. */
  findPage(limit: number, after?: WebhookCursor): Promise<WebhookEndpoint[]> {
    const query = this.endpoints
      .createQueryBuilder('endpoint')
      .where('endpoint.deletedAt IS NULL')
      .orderBy('endpoint.createdAt', 'ASC')
      .addOrderBy('endpoint.id', 'ASC');
    if (after) {
      query.andWhere(
        new Brackets((where) =>
          where
            .where('endpoint.createdAt > :createdAt', { createdAt: after.createdAt })
            .orWhere('(endpoint.createdAt = :createdAt AND endpoint.id > :id)', { id: after.id }),
        ),
      );
    }
    return query.take(limit).getMany();
  }

  /** Live endpoints subscribed to `eventType` (in the caller's transaction when given). */
  findSubscribed(eventType: string, manager?: EntityManager): Promise<Pick<WebhookEndpoint, 'id' | 'url'>[]> {
    return queryPrepared(manager ?? this.endpoints.manager, FIND_SUBSCRIBED_SQL, [eventType]);
  }

  /** A new current secret; the old one signs too until `previousExpiresAt` (none when null). */
  async rotateSecret(
    manager: EntityManager,
    id: string,
    secretCiphertext: string,
    previous: { sealed: string; expiresAt: Date } | null,
  ): Promise<WebhookEndpoint> {
    await queryPrepared(manager, ROTATE_SECRET_SQL, [
      id,
      secretCiphertext,
      previous?.sealed ?? null,
      previous?.expiresAt ?? null,
    ]);
    return manager.findOneByOrFail(WebhookEndpoint, { id });
  }

  /** Deleted: invisible from now on, its secrets wiped. */
  async markDeleted(manager: EntityManager, id: string): Promise<void> {
    await queryPrepared(manager, MARK_DELETED_SQL, [id]);
  }
}
