import { ApiProblem } from '@app/http-problems';
import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { DeadLetterGroupsResponse } from './dto/dead-letter-groups.response';
import { FunnelResponse } from './dto/funnel.response';
import { MAX_FUNNEL_DAYS } from './time-range.rules';

/** OpenAPI documentation of the operator statistics, kept out of the controllers so that they read as routing. */
export const StatsDocs = {
  funnel: () =>
    applyDecorators(
      ApiOperation({
        summary: 'The onboarding funnel by hour: registered, verified, onboarded, failed',
        description:
          'For each hour from `from` (at most ' +
          `${MAX_FUNNEL_DAYS} days, ${MAX_FUNNEL_DAYS * 24} hours): the users registered, verified, whose onboarding ` +
          'completed and whose onboarding failed in it. A user counts once in one outcome, the one it has now: a ' +
          'failure repaired since counts where its onboarding then completed. `cohort` says where the users ' +
          'registered in the range stand now. Read from PostgreSQL at request time; the operator console draws it.',
      }),
      ApiOkResponse({ type: FunnelResponse }),
      ApiProblem(
        400,
        'VALIDATION_FAILED',
        `A bound is not a date-time with an offset (isInstant), or from is not before to, or they are more than ${MAX_FUNNEL_DAYS} days apart (funnelRange)`,
      ),
    ),
  deadLetterGroups: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Dead letters grouped by error code and step',
        description:
          'Counts per error code, queue (the step it died in) and routing key, biggest group first (at most ' +
          '100), with the latest letter of each. Replay a group with `POST /dead-letters/replay` and its ' +
          '`errorCode` and `routingKey`, after a dry run.',
      }),
      ApiOkResponse({ type: DeadLetterGroupsResponse }),
      ApiProblem(
        400,
        'VALIDATION_FAILED',
        'The status is unknown, or a bound is not a date-time with an offset',
      ),
    ),
};
