import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeadLetterOccurrence } from './dead-letter-occurrence.entity';
import { DeadLetter } from './dead-letter.entity';
import { DeadLetterRepository } from './dead-letter.repository';

/**
 * The ledger's table alone, for a domain that reads its own dead letters (onboarding's timeline) and may itself
 * be an observer of DeadLettersModule, which therefore cannot be imported back.
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeadLetter, DeadLetterOccurrence])],
  providers: [DeadLetterRepository],
  exports: [DeadLetterRepository],
})
export class DeadLetterStoreModule {}
