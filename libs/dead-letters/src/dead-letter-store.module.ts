import { OutboxModule } from '@app/outbox';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeadLetterOccurrence } from './dead-letter-occurrence.entity';
import { DeadLetter } from './dead-letter.entity';
import { DeadLetterReplayer } from './dead-letter.replayer';
import { DeadLetterRepository } from './dead-letter.repository';

/**
 * The ledger's table and replays alone, for a domain that reads or replays its own dead letters (onboarding's
 * timeline, a retry of a failed step) and may itself be an observer of DeadLettersModule, which therefore cannot
 * be imported back.
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeadLetter, DeadLetterOccurrence]), OutboxModule],
  providers: [DeadLetterRepository, DeadLetterReplayer],
  exports: [DeadLetterRepository, DeadLetterReplayer],
})
export class DeadLetterStoreModule {}
