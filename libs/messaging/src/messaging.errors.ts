import { DomainError } from '@app/errors';

/** The broker returned a `mandatory` message: no queue is bound to its routing key (yet). */
export class UnroutableMessageError extends DomainError {
  readonly code = 'MESSAGE_UNROUTABLE';
  readonly kind = 'transient';

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    reply: string,
  ) {
    super(`no queue bound to ${exchange}/${routingKey} (${reply})`);
  }
}

/** A message that cannot be processed as it is: not JSON, wrong schema, unknown type. Dead-lettered at once. */
export class InvalidMessageError extends DomainError {
  readonly code: string;
  readonly kind = 'permanent';

  constructor(
    message: string,
    readonly details: readonly string[] = [],
    code = 'MESSAGE_INVALID',
  ) {
    super(details.length ? `${message}: ${details.join('; ')}` : message);
    this.code = code;
  }
}

/** A handler ran past its deadline (below the broker's consumer timeout); it may succeed on a later attempt. */
export class HandlerTimeoutError extends DomainError {
  readonly code = 'HANDLER_TIMEOUT';
  readonly kind = 'transient';

  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs} ms`);
  }
}
