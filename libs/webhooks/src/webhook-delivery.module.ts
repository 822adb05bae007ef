import { Module } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookSender } from './webhook.sender';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookStoreModule } from './webhook-store.module';

/** Sending deliveries, for the worker's `deliver-webhook` step: signing, the HTTP client, the metrics. */
@Module({
  imports: [WebhookStoreModule],
  providers: [WebhookDeliveryService, WebhookSender, WebhookMetrics],
  exports: [WebhookDeliveryService, WebhookMetrics],
})
export class WebhookDeliveryModule {}
