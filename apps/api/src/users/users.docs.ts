import { ApiProblem } from '@app/http-problems';
import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
} from '@nestjs/swagger';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageResponse } from './dto/user-page.response';
import { UserResponse } from './dto/user.response';
import { VerificationRequestedResponse } from './dto/verification-requested.response';

const ETAG_HEADER = {
  ETag: {
    description: "The user's version as a strong entity tag; send it back in If-Match to change the user",
    schema: { type: 'string', example: '"3"' },
  },
};

const unauthorized = () => ApiProblem(401, 'UNAUTHORIZED', 'Missing or wrong bearer token');
const badId = () => ApiProblem(400, 'VALIDATION_FAILED', 'The id is not a UUID');
const notFound = () => ApiProblem(404, 'USER_NOT_FOUND', 'No user with this id');

/** OpenAPI documentation of the user lifecycle routes, kept out of the controllers so that they read as routing. */
export const UserDocs = {
  list: () =>
    applyDecorators(
      ApiOperation({
        summary: 'List users',
        description:
          'Ordered by creation time, then id; cursor-paginated. Filters combine (AND); a cursor is a position ' +
          'in that order, so pass the same filters with it to page through one filtered list.',
      }),
      ApiOkResponse({ type: UserPageResponse }),
      ApiProblem(400, 'VALIDATION_FAILED', 'A filter or the limit is invalid'),
      ApiProblem(400, 'INVALID_CURSOR', 'The cursor is not one this API issued (use a nextCursor)'),
      unauthorized(),
    ),
  get: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Get a user',
        description: 'With its ETag. With `If-None-Match` naming the current ETag, `304` and no body.',
      }),
      ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag read before, e.g. `"3"`' }),
      ApiOkResponse({ type: UserResponse, headers: ETAG_HEADER }),
      ApiResponse({
        status: 304,
        description: 'Not modified since the ETag in If-None-Match',
        headers: ETAG_HEADER,
      }),
      badId(),
      unauthorized(),
      notFound(),
    ),
  update: () =>
    applyDecorators(
      ApiOperation({
        summary: "Change a user's names",
        description:
          'A JSON Merge Patch of `firstName` and `lastName` (same rules as at registration; null is refused, ' +
          'other fields too). `If-Match` with the ETag of the user as read is required, so that a change made ' +
          'meanwhile is not overwritten. Emits `user.updated` with the names of the changed fields. A patch ' +
          'that changes nothing (`{}`, or the current values) answers `200` with the user unchanged and emits ' +
          'nothing.',
      }),
      ApiConsumes('application/merge-patch+json', 'application/json'),
      ApiBody({ type: UpdateUserDto }),
      // The example is also what Swagger UI's "Try it out" sends: a required field left empty would block it.
      ApiHeader({
        name: 'If-Match',
        required: true,
        description: 'The ETag of the user as read, e.g. `"3"`',
        schema: { type: 'string', example: '"1"' },
      }),
      ApiOkResponse({ type: UserResponse, headers: ETAG_HEADER, description: 'The user, with its new ETag' }),
      ApiProblem(400, 'VALIDATION_FAILED', 'A field is invalid, null or not changeable; or the id'),
      unauthorized(),
      notFound(),
      ApiProblem(409, 'USER_ERASED', 'The user was erased'),
      ApiProblem(412, 'PRECONDITION_FAILED', 'The user changed since the ETag in If-Match'),
      ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Neither application/merge-patch+json nor application/json'),
      ApiProblem(428, 'PRECONDITION_REQUIRED', 'No If-Match'),
    ),
  erase: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Erase a user',
        description:
          'Removes the personal data in place: names and password hash deleted, the email replaced by a ' +
          'placeholder (the original email can register again), verification tokens deleted, status `erased`. ' +
          'Emits `user.erased` (id and time only). Idempotent: erasing an erased user answers `204` again and ' +
          'emits nothing.',
      }),
      ApiNoContentResponse({ description: 'Erased (now or before)' }),
      badId(),
      unauthorized(),
      notFound(),
    ),
  verifyEmail: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Verify an email with the token of its verification link',
        description:
          'Public. Marks the user `active` and the token used, and emits `user.verified` (method `token`). ' +
          'A token works once; only the latest one mailed to a user works.',
      }),
      ApiOkResponse({ type: UserResponse, description: 'Verified' }),
      ApiProblem(400, 'VERIFICATION_TOKEN_INVALID', 'No such token; a malformed body is `VALIDATION_FAILED`'),
      ApiProblem(
        410,
        'VERIFICATION_TOKEN_USED',
        'Used already (also `_EXPIRED`, `_SUPERSEDED`: a newer link was sent)',
      ),
    ),
  resend: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Ask for a new verification email',
        description:
          'Public. Always `202` with the same body, whether or not the email is registered. A user waiting ' +
          'for verification gets a new mail (with a new link; the old one stops working), at most one per ' +
          'VERIFICATION_RESEND_INTERVAL, registration included.',
      }),
      ApiAcceptedResponse({ type: VerificationRequestedResponse }),
      ApiProblem(400, 'VALIDATION_FAILED', 'The email is missing or malformed'),
    ),
  verifyByAdmin: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Verify a user as support staff',
        description:
          'Marks the user `active`, recorded as `verificationMethod: admin`, and emits `user.verified` ' +
          '(method `admin`). Idempotent: a verified user answers `200` unchanged, with no second event.',
      }),
      ApiOkResponse({ type: UserResponse, headers: ETAG_HEADER }),
      badId(),
      unauthorized(),
      notFound(),
      ApiProblem(409, 'USER_ERASED', 'The user was erased'),
    ),
};
