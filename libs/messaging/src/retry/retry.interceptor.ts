import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { catchError, Observable, throwError } from 'rxjs';
import { attemptOf } from '../publishing/failure-headers';
import { decideFailure, OutageDetector } from './failure-decision';
import { RETRY_POLICY_METADATA } from './retry-policy.decorator';
import type { RetryPolicyOptions } from './retry-policy';

/** DI token: the retry policy of handlers that declare none (`RETRY_*`), and the base of those that do. */
export const DEFAULT_RETRY_POLICY = Symbol('DEFAULT_RETRY_POLICY');
/** DI token: the outage detectors (an error that means "PostgreSQL is down" pauses instead of retrying). */
export const OUTAGE_DETECTORS = Symbol('OUTAGE_DETECTORS');

/**
 * Wraps every message handler: whatever the handler throws becomes a {@link FailureDecision} (pause, retry after
 * so long, or dead-letter with a code) under the handler's `@RetryPolicy`, which the transport then carries out.
 * This is the design's "handlers behind retry interceptors": the interceptor decides, the transport moves the
 * message, and nobody sleeps in memory. HTTP routes of the same app pass through untouched.
 */
@Injectable()
export class RetryInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DEFAULT_RETRY_POLICY) private readonly defaults: RetryPolicyOptions,
    @Inject(OUTAGE_DETECTORS) private readonly outageDetectors: readonly OutageDetector[],
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const declared = this.reflector.get<Partial<RetryPolicyOptions> | undefined>(
      RETRY_POLICY_METADATA,
      context.getHandler(),
    );
    const policy = { ...this.defaults, ...declared };
    const message = context.switchToRpc().getContext<RmqContext>().getMessage() as ConsumeMessage;
    const attempt = attemptOf(message);
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          throwError(() => decideFailure(error, attempt, policy, this.outageDetectors)),
        ),
      );
  }
}
