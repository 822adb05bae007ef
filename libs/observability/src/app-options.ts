import type { DestinationStream } from 'pino';

/** Process-level wiring an app factory accepts besides its configuration. */
export interface AppOptions {
  /** Where JSON log lines go; stdout when unset. Tests pass a stream to read what was logged. */
  logDestination?: DestinationStream;
}
