import { DatabaseConnector } from '@app/database';
import type { DeadLetterStatus } from '@app/dead-letters';
import { onboardingStepOfQueue } from '@app/onboarding';
import { Injectable } from '@nestjs/common';
import { DeadLetterGroupRow, DeadLetterGroupsRepository } from './dead-letter-groups.repository';

/** At most this many groups are answered; error codes and steps are few, so more means something odd. */
export const MAX_DEAD_LETTER_GROUPS = 100;

export interface DeadLetterGroup extends DeadLetterGroupRow {
  /** The onboarding step whose queue the letters died in; null for another queue, or none recorded. */
  step: string | null;
}

export interface DeadLetterGroups {
  status: DeadLetterStatus;
  groups: DeadLetterGroup[];
  /** More groups exist than were answered. */
  truncated: boolean;
}

/**
 * Dead letters grouped by error code and step: what an operator decides about together ("the mail step failed
 * with HANDLER_FAILED 40 times since the SMTP outage"). Counted in PostgreSQL, since grouping one page of the
 * list in a browser would miss the rest.
 */
@Injectable()
export class DeadLetterGroupStatistics {
  constructor(
    private readonly database: DatabaseConnector,
    private readonly groups: DeadLetterGroupsRepository,
  ) {}

  async get(status: DeadLetterStatus, range: { from?: Date; to?: Date }): Promise<DeadLetterGroups> {
    this.database.assertConnected();
    const rows = await this.groups.find(status, range, MAX_DEAD_LETTER_GROUPS + 1);
    return {
      status,
      groups: rows.slice(0, MAX_DEAD_LETTER_GROUPS).map((row) => ({
        ...row,
        step: row.queue === null ? null : (onboardingStepOfQueue(row.queue)?.name ?? null),
      })),
      truncated: rows.length > MAX_DEAD_LETTER_GROUPS,
    };
  }
}
