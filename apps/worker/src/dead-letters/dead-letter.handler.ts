import { DeadLetterLedger } from '@app/dead-letters';
import { DEAD_LETTER_PATTERN, type ReceivedDeadLetter } from '@app/messaging';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * The dead-letter queue → the ledger. The payload is built by ReliableRmqServer from the broker's message, not
 * taken from a client, so it is not validated here. If recording throws (PostgreSQL down), the server requeues
 * the dead letter after a backoff: it is never dropped.
 */
@Controller()
export class DeadLetterHandler {
  constructor(private readonly ledger: DeadLetterLedger) {}

  @EventPattern(DEAD_LETTER_PATTERN)
  async handle(@Payload() deadLetter: ReceivedDeadLetter): Promise<void> {
    await this.ledger.record(deadLetter);
  }
}
