import { Module } from '@nestjs/common';
import { OutboxModule } from './outbox.module';
import { OutboxRelay } from './outbox.relay';

/** Relaying the outbox to RabbitMQ (the API; needs MessagingModule). */
@Module({
  imports: [OutboxModule],
  providers: [OutboxRelay],
  exports: [OutboxRelay, OutboxModule],
})
export class OutboxRelayModule {}
