import { SecretsModule } from '@app/secrets';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookAddressGuard } from './webhook-address.guard';
import { WebhookDeliveryAttempt } from './webhook-delivery-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';

/**
 * The webhooks' tables, the secret box and the SSRF guard: what every other webhooks module builds on (and what
 * the worker's dead-letter ledger imports for `WebhookDeadLetterObserver`).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery, WebhookDeliveryAttempt]),
    SecretsModule,
  ],
  providers: [WebhookEndpointRepository, WebhookDeliveryRepository, WebhookAddressGuard],
  exports: [WebhookEndpointRepository, WebhookDeliveryRepository, WebhookAddressGuard, SecretsModule],
})
export class WebhookStoreModule {}
