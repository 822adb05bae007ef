import type { RateLimitPolicyName } from '@app/config';
import { type DocumentedProblem, documentedProblems } from '@app/http-problems';
import { rateLimitPoliciesOf } from '@app/rate-limiting';
import type { INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { isMarkedPublic } from '../auth/public-route.decorator';

/** What the OpenAPI conventions need to know about one handler, read from its decorators. */
export interface ApiRoute {
  operationId: string;
  admin: boolean;
  rateLimits: RateLimitPolicyName[];
  problems: DocumentedProblem[];
  /** DTO classes of the arguments the validation pipe checks. */
  dtos: { body?: Type; query?: Type; param?: Type };
}

interface RouteArgument {
  index: number;
  data?: unknown;
}

// RouteParamtypes of @nestjs/common (BODY, QUERY, PARAM), which it does not export from its barrel.
const ARGUMENT_KINDS: Partial<Record<number, keyof ApiRoute['dtos']>> = { 3: 'body', 4: 'query', 5: 'param' };

const PRIMITIVES = new Set<unknown>([String, Number, Boolean, Object, Array]);

function dtosOf(controller: Type, method: string): ApiRoute['dtos'] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
    string,
    RouteArgument
  >;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, method) ??
    []) as Type[];
  const dtos: ApiRoute['dtos'] = {};
  for (const [key, argument] of Object.entries(args)) {
    const kind = ARGUMENT_KINDS[Number(key.split(':')[0])];
    const type = types[argument.index];
    if (kind && argument.data === undefined && type && !PRIMITIVES.has(type)) dtos[kind] = type;
  }
  return dtos;
}

const guardsOf = (target: object) => (Reflect.getMetadata(GUARDS_METADATA, target) ?? []) as unknown[];

/**
 * Every handler of the app, by the operation id @nestjs/swagger gives it (`<Controller>_<method>`). A handler
 * behind AdminTokenGuard is an admin route; every other one is public.
 * @throws Error when a handler is marked `@PublicRoute()` but guarded as an admin route
 */
export function discoverApiRoutes(app: INestApplication): Map<string, ApiRoute> {
  const routes = new Map<string, ApiRoute>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const admin = [...guardsOf(handler), ...guardsOf(controller)].includes(AdminTokenGuard);
        const operationId = `${controller.name}_${method}`;
        if (admin && isMarkedPublic(handler, controller)) {
          throw new Error(`${operationId} is marked @PublicRoute() but guarded by AdminTokenGuard`);
        }
        routes.set(operationId, {
          operationId,
          admin,
          rateLimits: [
            ...rateLimitPoliciesOf(handler, controller),
            ...(admin ? (['admin', 'admin-auth-failures'] as const) : []),
          ],
          problems: documentedProblems(controller, handler),
          dtos: dtosOf(controller, method),
        });
      }
    }
  }
  return routes;
}
