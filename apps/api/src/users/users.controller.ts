import { ApiProblem, RequestValidationError } from '@app/http-problems';
import { UserLifecycleService, UsersService } from '@app/users';
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
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminTokenGuard } from '../auth/admin-token.guard';
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
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a user',
    description: 'Stores the user and schedules onboarding (the worker completes it asynchronously).',
  })
  @ApiCreatedResponse({ type: UserResponse, description: 'Registered; `Location` points at the user' })
  @ApiProblem(400, 'VALIDATION_FAILED', 'Invalid or unknown fields, or malformed JSON (`MALFORMED_JSON`)')
  @ApiProblem(409, 'USER_EMAIL_TAKEN', 'A user with this email is already registered')
  @ApiProblem(413, 'PAYLOAD_TOO_LARGE', 'Request body too large')
  async register(
    @Body() body: RegisterUserDto,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponse> {
    const user = await this.users.register(body, requestId);
    void reply.header('Location', `/users/${user.id}`);
    return UserResponse.from(user);
  }

  @Get()
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
  @UserDocs.list()
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    const page = await this.users.list(query.limit, query.cursor, query.toFilter());
    return { items: page.items.map((user) => UserResponse.from(user)), nextCursor: page.nextCursor };
  }

  // The reply is sent here rather than returned: Nest would overwrite a 304 with the route's status.
  @Get(':id')
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
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
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
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
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth('admin')
  @UserDocs.erase()
  async erase(@Param() params: UserIdParams, @RequestId() requestId: string): Promise<void> {
    await this.lifecycle.erase(params.id, requestId);
  }
}
