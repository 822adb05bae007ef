import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxBacklogReader } from './outbox-backlog';
import { OutboxHandoff } from './outbox-handoff';
import { OutboxRetention } from './outbox-retention';
import { OutboxWriter } from './outbox.writer';

/** Writing events into the outbox (any app that changes state). */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage])],
  providers: [OutboxWriter, OutboxHandoff, OutboxBacklogReader, OutboxRetention],
  exports: [OutboxWriter, OutboxHandoff, OutboxBacklogReader, OutboxRetention],
})
export class OutboxModule {}
