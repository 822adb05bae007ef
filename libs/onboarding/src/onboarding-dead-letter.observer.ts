import type { DeadLetterObserver, RecordedDeadLetter } from '@app/dead-letters';
import { USER_EVENTS } from '@app/users';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { OnboardingService } from './onboarding.service';

/**
 * Marks a user's onboarding failed when their `user.registered` message is dead-lettered. Anything else, or a
 * payload without a usable user id (a poison message), is not onboarding's business: ignored, never thrown on,
 * since throwing would hold the dead letter back from the ledger.
 */
@Injectable()
export class OnboardingDeadLetterObserver implements DeadLetterObserver {
  constructor(private readonly onboarding: OnboardingService) {}

  async onDeadLettered(manager: EntityManager, deadLetter: RecordedDeadLetter): Promise<void> {
    if (deadLetter.type !== USER_EVENTS.registered) return;
    const userId = (deadLetter.payload as { userId?: unknown } | null)?.userId;
    if (typeof userId !== 'string' || !isUUID(userId)) return;
    await this.onboarding.onDeadLettered(manager, userId, deadLetter.errorCode, deadLetter.errorMessage);
  }
}
