import type { LogCapture } from '../../support/apps';

/**
 * Configuration overrides shared by the fault tests: retries quick enough that several rounds of transient
 * failures fit in a test (tiers 100 ms … 2 s, 8 attempts, about 7 s in all before a dead letter), light
 * password hashing (the load, not argon2, is under test on a 2-core machine), a short shutdown deadline and
 * info-level logs for the failure diagnostics.
 */
export const FAULT_SETTINGS: Readonly<Record<string, string>> = {
  RETRY_INITIAL_DELAY_MS: '100',
  RETRY_BACKOFF_FACTOR: '2',
  RETRY_MAX_DELAY_MS: '2000',
  RETRY_MAX_ATTEMPTS: '8',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  OUTBOX_POLL_INTERVAL_MS: '200',
  SHUTDOWN_TIMEOUT_MS: '3000',
  LOG_LEVEL: 'info',
};

/** The warnings and errors an in-process app logged (the last ones, without stacks), for a failure message. */
export function warningsOf(name: string, logs: LogCapture, lastLines = 150): string {
  const lines = logs.lines.filter((line) => Number(line.level) >= 40).slice(-lastLines);
  return [`--- ${name}: last ${lines.length} warnings and errors ---`, ...lines.map(compactLogLine)].join(
    '\n',
  );
}

/** A log line without its stack traces: time, context, message, message id, error type and message. */
export function compactLogLine(line: Record<string, unknown>): string {
  const error = line.err as { type?: string; message?: string; code?: string } | undefined;
  return JSON.stringify({
    time: line.time,
    level: line.level,
    context: line.context,
    messageId: line.messageId,
    msg: line.msg,
    ...(error ? { err: `${error.type}: ${error.message}${error.code ? ` (${error.code})` : ''}` } : {}),
  });
}

/** A child process's output line, compacted like {@link compactLogLine} when it is a JSON log line. */
export function compactOutputLine(line: string): string {
  try {
    return compactLogLine(JSON.parse(line) as Record<string, unknown>);
  } catch {
    return line;
  }
}
