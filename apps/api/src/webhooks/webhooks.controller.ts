import { ApiProblem } from '@app/http-problems';
import { WebhookEndpointsService, WebhookRedelivery } from '@app/webhooks';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../auth/admin-route.decorator';
import { RequestId } from '../request-id.decorator';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { WebhookDeliveryIdParams } from './dto/webhook-delivery-id.params';
import { WebhookDeliveryPageResponse } from './dto/webhook-delivery-page.response';
import { WebhookDeliveryResponse } from './dto/webhook-delivery.response';
import { WebhookEndpointIdParams } from './dto/webhook-endpoint-id.params';
import { WebhookEndpointPageResponse } from './dto/webhook-endpoint-page.response';
import { WebhookEndpointWithSecretResponse } from './dto/webhook-endpoint-with-secret.response';
import { WebhookEndpointResponse } from './dto/webhook-endpoint.response';
import { WebhookPageQuery } from './dto/webhook-page.query';
import { WebhookDocs } from './webhooks.docs';

@ApiTags('webhooks')
@AdminRoute()
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly redelivery: WebhookRedelivery,
  ) {}

  @Post()
  @WebhookDocs.create()
  async create(@Body() body: CreateWebhookDto): Promise<WebhookEndpointWithSecretResponse> {
    return WebhookEndpointWithSecretResponse.withSecret(await this.endpoints.create(body.url, body.events));
  }

  @Get()
  @WebhookDocs.list()
  async list(@Query() query: WebhookPageQuery): Promise<WebhookEndpointPageResponse> {
    const page = await this.endpoints.list(query.limit, query.cursor);
    return {
      items: page.items.map((item) => WebhookEndpointResponse.from(item)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @WebhookDocs.get()
  async get(@Param() { id }: WebhookEndpointIdParams): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.from(await this.endpoints.get(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @WebhookDocs.delete()
  async delete(@Param() { id }: WebhookEndpointIdParams): Promise<void> {
    await this.endpoints.delete(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @WebhookDocs.rotateSecret()
  async rotateSecret(@Param() { id }: WebhookEndpointIdParams): Promise<WebhookEndpointWithSecretResponse> {
    return WebhookEndpointWithSecretResponse.withSecret(await this.endpoints.rotateSecret(id));
  }

  @Get(':id/deliveries')
  @WebhookDocs.deliveries()
  async deliveries(
    @Param() { id }: WebhookEndpointIdParams,
    @Query() query: WebhookPageQuery,
  ): Promise<WebhookDeliveryPageResponse> {
    const page = await this.endpoints.deliveryLog(id, query.limit, query.cursor);
    return {
      items: page.items.map((item) => WebhookDeliveryResponse.from(item)),
      nextCursor: page.nextCursor,
    };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @WebhookDocs.redeliver()
  async redeliver(
    @Param() { id, deliveryId }: WebhookDeliveryIdParams,
    @RequestId() requestId: string,
  ): Promise<WebhookDeliveryResponse> {
    return WebhookDeliveryResponse.from(await this.redelivery.redeliver(id, deliveryId, requestId));
  }
}
