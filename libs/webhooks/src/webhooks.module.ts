import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { WebhookDeliveryScheduler } from './webhook-delivery.scheduler';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookFanout } from './webhook-fanout';
import { WebhookRedelivery } from './webhook-redelivery';
import { WebhookStoreModule } from './webhook-store.module';

export interface WebhooksModuleOptions {
  /** Modules the scheduler's dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Schedules deliveries as steps (onboarding's `DeliverWebhookScheduler`). */
  scheduler: Type<WebhookDeliveryScheduler>;
}

/**
 * Webhook administration (endpoints, secrets, the delivery log, redelivery) and the fan-out of events into
 * deliveries, for both apps. The app wires the scheduler in, so that this library knows nothing of the step
 * mechanism that it builds on (onboarding depends on this library, never the other way round).
 */
@Module({})
export class WebhooksModule {
  static forRoot(options: WebhooksModuleOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [WebhookStoreModule, ...(options.imports ?? [])],
      providers: [
        WebhookEndpointsService,
        WebhookFanout,
        WebhookRedelivery,
        { provide: WebhookDeliveryScheduler, useClass: options.scheduler },
      ],
      exports: [WebhookEndpointsService, WebhookFanout, WebhookRedelivery],
    };
  }
}
