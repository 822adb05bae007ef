import { ApiProblem } from '@app/http-problems';
import { RateLimit } from '@app/rate-limiting';
import { EmailVerificationService } from '@app/verification';
import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminRoute } from '../auth/admin-route.decorator';
import { PublicRoute } from '../auth/public-route.decorator';
import { RequestId } from '../request-id.decorator';
import { ResendVerificationDto } from './dto/resend-verification.dto';
import { UserIdParams } from './dto/user-id.params';
import { UserResponse } from './dto/user.response';
import { VerificationRequestedResponse } from './dto/verification-requested.response';
import { VerifyEmailDto } from './dto/verify-email.dto';
import { userEtag } from './user-etag';
import { UserDocs } from './users.docs';

@ApiTags('users')
@ApiProblem(503, 'DEPENDENCY_UNAVAILABLE', 'PostgreSQL is not available; retry later')
@Controller('users')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post('verify-email')
  @HttpCode(200)
  @PublicRoute()
  @RateLimit('verification')
  @UserDocs.verifyEmail()
  async verifyEmail(@Body() body: VerifyEmailDto, @RequestId() requestId: string): Promise<UserResponse> {
    return UserResponse.from(await this.verification.verifyEmail(body.token, requestId));
  }

  @Post('verify-email/resend')
  @HttpCode(202)
  @PublicRoute()
  @RateLimit('verification')
  @UserDocs.resend()
  async resend(
    @Body() body: ResendVerificationDto,
    @RequestId() requestId: string,
  ): Promise<VerificationRequestedResponse> {
    await this.verification.requestResend(body.email, requestId);
    return VerificationRequestedResponse.ACCEPTED;
  }

  @Post(':id/verify')
  @HttpCode(200)
  @AdminRoute()
  @UserDocs.verifyByAdmin()
  async verifyByAdmin(
    @Param() params: UserIdParams,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponse> {
    const user = await this.verification.verifyByAdmin(params.id, requestId);
    void reply.header('ETag', userEtag(user.version));
    return UserResponse.from(user);
  }
}
