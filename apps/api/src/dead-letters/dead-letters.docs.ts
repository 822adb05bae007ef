import { ApiProblem } from '@app/http-problems';
import { applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { BulkReplayResponse } from './dto/bulk-replay.response';
import { DeadLetterPageResponse } from './dto/dead-letter-page.response';
import { DeadLetterSummaryResponse } from './dto/dead-letter-summary.response';
import { DeadLetterResponse } from './dto/dead-letter.response';
import { ReplayAcceptedResponse } from './dto/replay-accepted.response';

/** OpenAPI documentation of each dead-letter route, kept out of the controller so that it reads as routing. */
export const DeadLetterDocs = {
  list: () =>
    applyDecorators(
      ApiOperation({
        summary: 'List dead letters',
        description:
          'Ordered by the time they were (last) dead-lettered, then message id; cursor-paginated. Every status ' +
          'unless `status` is given. Bodies, headers and stacks are in the single-letter view.',
      }),
      ApiOkResponse({ type: DeadLetterPageResponse }),
      ApiProblem(400, 'INVALID_CURSOR', 'The cursor is not one this service issued'),
      ApiProblem(
        400,
        'VALIDATION_FAILED',
        'A filter or the limit is invalid, or the cursor (`INVALID_CURSOR`)',
      ),
    ),
  get: () =>
    applyDecorators(
      ApiOperation({ summary: 'Get a dead letter: the message, its headers, the error and its stack' }),
      ApiOkResponse({ type: DeadLetterResponse }),
      ApiProblem(404, 'DEAD_LETTER_NOT_FOUND', 'No dead letter with this message id'),
    ),
  replay: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Replay a dead letter',
        description:
          'Publishes the message again through the outbox, under its original message id (the worker skips it ' +
          'if it had been applied after all). Should it fail again, it comes back here as pending.',
      }),
      ApiAcceptedResponse({ type: ReplayAcceptedResponse }),
      ApiProblem(404, 'DEAD_LETTER_NOT_FOUND', 'No dead letter with this message id'),
      ApiProblem(409, 'DEAD_LETTER_NOT_PENDING', 'It was replayed or discarded already'),
      ApiProblem(
        422,
        'DEAD_LETTER_NOT_REPLAYABLE',
        'Its body is not JSON, or its type is not its routing key',
      ),
    ),
  replayMatching: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Replay the pending dead letters that match a filter',
        description:
          'Oldest first, up to `limit`; dead letters that cannot be replayed are left out. With `dryRun`, ' +
          'only lists what would be replayed.',
      }),
      ApiOkResponse({ type: BulkReplayResponse }),
      ApiProblem(400, 'VALIDATION_FAILED', 'A filter, the limit or dryRun is invalid'),
    ),
  discard: () =>
    applyDecorators(
      ApiOperation({ summary: 'Discard a dead letter: give up on it, keeping it in the ledger' }),
      ApiOkResponse({ type: DeadLetterSummaryResponse }),
      ApiProblem(404, 'DEAD_LETTER_NOT_FOUND', 'No dead letter with this message id'),
      ApiProblem(409, 'DEAD_LETTER_NOT_PENDING', 'It was replayed or discarded already'),
    ),
};
