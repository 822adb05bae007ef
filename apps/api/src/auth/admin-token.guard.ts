import { AppConfig } from '@app/config';
import { RateLimitGuard } from '@app/rate-limiting';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Admin routes: `Authorization: Bearer <one of ADMIN_TOKENS>`. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, against every configured token without stopping early, so timing tells nothing about a
 * token's content or which one matched.
 *
 * Two rate limits apply (RATE_LIMIT_ADMIN_AUTH_FAILURES, RATE_LIMIT_ADMIN): failed attempts are counted per
 * client address, and past the limit they answer 429 instead of 401, so tokens cannot be guessed at speed; a
 * valid token is never refused for its address's failures (an office behind one NAT keeps working). Accepted
 * requests are counted per token (by its digest, never the token itself), so a leaked or runaway script cannot
 * flood the admin routes.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly tokenDigests: Buffer[];

  constructor(
    config: AppConfig,
    private readonly rateLimits: RateLimitGuard,
  ) {
    this.tokenDigests = config.adminTokens.map(digest);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    // The scheme is case-insensitive (RFC 9110, section 11.1); the token is not.
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? '');
    const presented = match?.[1] ? digest(match[1]) : undefined;
    if (!presented || !this.isKnown(presented)) {
      await this.rateLimits.consume(context, 'admin-auth-failures');
      throw new UnauthorizedException(
        presented ? 'The bearer token is not valid' : 'A bearer token is required',
      );
    }
    await this.rateLimits.consume(context, 'admin', `token:${presented.toString('hex')}`);
    return true;
  }

  private isKnown(presented: Buffer): boolean {
    let valid = false;
    for (const known of this.tokenDigests) valid = timingSafeEqual(presented, known) || valid;
    return valid;
  }
}
