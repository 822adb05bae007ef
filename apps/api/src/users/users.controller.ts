import { ApiProblem } from '@app/http-problems';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  Idempotent,
  IdempotencyKeyHeader,
  IdempotentRequests,
} from '@app/idempotency';
import { OnboardingTimelineService } from '@app/onboarding';
import { RateLimit } from '@app/rate-limiting';
import { User, UsersService } from '@app/users';
import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { PublicRoute } from '../auth/public-route.decorator';
import { RequestId } from '../request-id.decorator';
import { ListUsersQuery } from './dto/list-users.query';
import { OnboardingTimelineResponse } from './dto/onboarding-timeline.response';
import { RegisterUserDto } from './dto/register-user.dto';
import { UserIdParams } from './dto/user-id.params';
import { UserPageResponse } from './dto/user-page.response';
import { UserResponse } from './dto/user.response';

@ApiTags('users')
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly onboarding: OnboardingTimelineService,
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
          withinTransaction: (manager, user) => record(manager, created(user)),
        }),
      ),
    );
    void reply.headers(answer.headers);
    if (answer.replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return answer.body as UserResponse;
  }

  @Get()
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
  @ApiOperation({
    summary: 'List users',
    description: 'Ordered by creation time, then id; cursor-paginated.',
  })
  @ApiOkResponse({ type: UserPageResponse })
  @ApiProblem(400, 'INVALID_CURSOR', 'Malformed cursor or limit out of range (`VALIDATION_FAILED`)')
  @ApiProblem(401, 'UNAUTHORIZED', 'Missing or wrong bearer token')
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const page = await this.users.list(query.limit, query.cursor);
    return { items: page.items.map((user) => UserResponse.from(user)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblem(400, 'VALIDATION_FAILED', 'The id is not a UUID')
  @ApiProblem(401, 'UNAUTHORIZED', 'Missing or wrong bearer token')
  @ApiProblem(404, 'USER_NOT_FOUND', 'No user with this id')
  async get(@Param() params: UserIdParams): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(params.id));
  }

  @Get(':id/onboarding')
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
  @ApiOperation({
    summary: "Get a user's onboarding timeline",
    description: 'Each step with its status, attempts and last error, and the dead letters of the user.',
  })
  @ApiOkResponse({ type: OnboardingTimelineResponse })
  @ApiProblem(400, 'VALIDATION_FAILED', 'The id is not a UUID')
  @ApiProblem(401, 'UNAUTHORIZED', 'Missing or wrong bearer token')
  @ApiProblem(404, 'USER_NOT_FOUND', 'No user with this id')
  async onboardingTimeline(@Param() params: UserIdParams): Promise<OnboardingTimelineResponse> {
    return OnboardingTimelineResponse.from(await this.onboarding.get(params.id));
  }
}
