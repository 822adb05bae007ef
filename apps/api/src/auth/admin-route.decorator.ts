import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AdminTokenGuard } from './admin-token.guard';

/** Name of the bearer security scheme of the OpenAPI document. */
export const ADMIN_SECURITY_SCHEME = 'admin';

/**
 * An admin route (or a controller of them): the bearer token guard, with its per-token and failed-attempt
 * rate limits, and the matching documentation. The OpenAPI document adds the 401, 429 and 500 answers and the
 * `RateLimit` headers to every route behind AdminTokenGuard (see apps/api/src/openapi), so one line is all a
 * new admin route needs:
 *
 * ```ts
 * @Patch(':id')
 * @AdminRoute()
 * update(...) {}
 * ```
 */
export const AdminRoute = (): ClassDecorator & MethodDecorator =>
  applyDecorators(UseGuards(AdminTokenGuard), ApiBearerAuth(ADMIN_SECURITY_SCHEME));
