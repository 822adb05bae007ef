import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into `{ status: 'error', message }`, losing its class and code.
 * Message handlers need the original error so that {@link ReliableRmqServer} can decide between ack, retry and
 * dead-letter, so this filter hands it through untouched.
 */
@Catch()
export class RpcErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
