import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from '@app/dead-letters';
import { ApiProperty } from '@nestjs/swagger';
import type { DeadLetterGroup, DeadLetterGroups } from '../dead-letter-groups.statistics';

/** Dead letters that share an error code, a queue (hence a step) and a routing key. */
export class DeadLetterGroupResponse {
  @ApiProperty({ example: 'HANDLER_FAILED' })
  errorCode!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'send-verification-email',
    description:
      'The onboarding step whose queue they died in; null for another queue, or when none was recorded',
  })
  step!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'onboarding.step.send-verification-email' })
  queue!: string | null;

  @ApiProperty({
    example: 'send-verification-email',
    description:
      'Their routing key. Replay the group with `POST /dead-letters/replay` and `{errorCode, routingKey}` ' +
      '(a dry run first): it takes every pending letter with both, whatever its queue',
  })
  routingKey!: string;

  @ApiProperty({ example: 40 })
  count!: number;

  @ApiProperty({
    example: 40,
    description: 'How many of them the bulk replay would take (a JSON body whose type is its routing key)',
  })
  replayable!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T09:58:12.120Z' })
  firstDeadLetteredAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:30.456Z' })
  lastDeadLetteredAt!: string;

  @ApiProperty({ example: '5b0c3e1a-7f2d-4c6b-9e8a-1d2f3a4b5c6d', description: 'The latest of them' })
  lastMessageId!: string;

  @ApiProperty({
    example: 'connect ECONNREFUSED 10.0.0.7:587',
    description: 'The error message of the latest',
  })
  lastErrorMessage!: string;

  static from(group: DeadLetterGroup): DeadLetterGroupResponse {
    return {
      errorCode: group.errorCode,
      step: group.step,
      queue: group.queue,
      routingKey: group.routingKey,
      count: group.count,
      replayable: group.replayable,
      firstDeadLetteredAt: group.firstDeadLetteredAt.toISOString(),
      lastDeadLetteredAt: group.lastDeadLetteredAt.toISOString(),
      lastMessageId: group.lastMessageId,
      lastErrorMessage: group.lastErrorMessage,
    };
  }
}

export class DeadLetterGroupsResponse {
  @ApiProperty({ enum: DEAD_LETTER_STATUSES, example: 'pending' })
  status!: DeadLetterStatus;

  @ApiProperty({ type: [DeadLetterGroupResponse], description: 'Biggest group first' })
  groups!: DeadLetterGroupResponse[];

  @ApiProperty({
    example: false,
    description: 'True when there are more than 100 groups: only the 100 biggest are listed',
  })
  truncated!: boolean;

  static from(groups: DeadLetterGroups): DeadLetterGroupsResponse {
    return {
      status: groups.status,
      groups: groups.groups.map((group) => DeadLetterGroupResponse.from(group)),
      truncated: groups.truncated,
    };
  }
}
