import { ApiProblem, RequestValidationError } from '@app/http-problems';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  Idempotent,
  IdempotencyKeyHeader,
  IdempotentRequests,
} from '@app/idempotency';
import { RateLimit } from '@app/rate-limiting';
import { User, UserLifecycleService, UsersService } from '@app/users';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminRoute } from '../auth/admin-route.decorator';
import { PublicRoute } from '../auth/public-route.decorator';
import { RequestId } from '../request-id.decorator';
import { ListUsersQuery } from './dto/list-users.query';
import { RegisterUserDto } from './dto/register-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserIdParams } from './dto/user-id.params';
import { UserPageResponse } from './dto/user-page.response';
import { UserResponse } from './dto/user.response';
import { ifNoneMatchHits, parseIfMatch, userEtag } from './user-etag';
import { UserDocs } from './users.docs';

@ApiTags('users')
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly lifecycle: UserLifecycleService,
    private readonly idempotency: IdempotentRequests,
  ) {}

  @Post()
  @PublicRoute()
  @RateLimit('signup')
  @ApiOperation({
    summary: 'Register a user',
    description:
      'Stores the user and schedules onboarding (the worker completes it asynchronously). Rate-limited per ' +
      'client address (RATE_LIMIT_SIGNUP).',
  })
  @ApiCreatedResponse({
    type: UserResponse,
    description: 'Registered',
    headers: {
      Location: {
        description: 'The new user: `/users/{id}`',
        schema: { type: 'string', example: '/users/0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f' },
      },
      [IDEMPOTENT_REPLAYED_HEADER]: {
        description:
          '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @ApiProblem(409, 'USER_EMAIL_TAKEN', 'A user with this email is already registered')
  @Idempotent()
  @ApiProblem(
    503,
    'SERVICE_OVERLOADED',
    'Too many passwords are being hashed (ARGON2_MAX_PENDING); retry after `Retry-After`',
  )
  async register(
    @Body() body: RegisterUserDto,
    @RequestId() requestId: string,
    @IdempotencyKeyHeader() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponse> {
    const created = (user: User) => ({
      status: 201,
      headers: { Location: `/users/${user.id}` },
      body: UserResponse.from(user),
    });
    const answer = await this.idempotency.run('POST /users', idempotencyKey, body, async (record) =>
      created(
        await this.users.register(body, requestId, {
          withinTransaction: record && ((manager, user) => record(manager, created(user))),
        }),
      ),
    );
    void reply.headers(answer.headers);
    if (answer.replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return answer.body as UserResponse;
  }

  @Get()
  @AdminRoute()
  @UserDocs.list()
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const page = await this.users.list(query.limit, query.cursor, query.toFilter());
    return { items: page.items.map((user) => UserResponse.from(user)), nextCursor: page.nextCursor };
  }

  // The reply is sent here rather than returned: Nest would overwrite a 304 with the route's status.
  @Get(':id')
  @AdminRoute()
  @UserDocs.get()
  async get(
    @Param() params: UserIdParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const user = await this.users.get(params.id);
    void reply.header('ETag', userEtag(user.version));
    if (ifNoneMatchHits(ifNoneMatch, user.version)) void reply.status(304).send();
    else void reply.status(200).send(UserResponse.from(user));
  }

  @Patch(':id')
  @AdminRoute()
  @UserDocs.update()
  async update(
    @Param() params: UserIdParams,
    @Body() body: UpdateUserDto,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestId() requestId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponse> {
    // The validation pipe reads a null body as {}; as a merge patch, null would mean "remove everything".
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
      throw new RequestValidationError([
        { field: 'body', code: 'isObject', message: 'a merge patch of a user must be a JSON object' },
      ]);
    }
    const user = await this.lifecycle.update(params.id, body, parseIfMatch(ifMatch), requestId);
    void reply.header('ETag', userEtag(user.version));
    return UserResponse.from(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminRoute()
  @UserDocs.erase()
  async erase(@Param() params: UserIdParams, @RequestId() requestId: string): Promise<void> {
    await this.lifecycle.erase(params.id, requestId);
  }
}
