import { AppConfig } from '@app/config';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Admin routes: `Authorization: Bearer <one of ADMIN_TOKENS>`. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, against every configured token without stopping early, so timing tells nothing about a
 * token's content or which one matched.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly tokenDigests: Buffer[];

  constructor(config: AppConfig) {
    this.tokenDigests = config.adminTokens.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    // The scheme is case-insensitive (RFC 9110, section 11.1); the token is not.
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? '');
    if (!match?.[1]) throw new UnauthorizedException('A bearer token is required');
    const presented = digest(match[1]);
    let valid = false;
    for (const known of this.tokenDigests) valid = timingSafeEqual(presented, known) || valid;
    if (!valid) throw new UnauthorizedException('The bearer token is not valid');
    return true;
  }
}
