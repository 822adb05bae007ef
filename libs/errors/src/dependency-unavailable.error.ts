import { DomainError } from './domain.error';

/** A backing service (PostgreSQL, RabbitMQ) cannot be reached right now; trying again later may work. */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  readonly kind = 'transient';

  constructor(
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is not available`, options);
  }
}
