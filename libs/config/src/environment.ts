import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { parseDurationMs } from './duration';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

const toTokenList = ({ value }: { value: unknown }): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token.length > 0)
    : [];

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** `<requests>/<window>` with the window in s, m or h: `20/1m`. */
const RATE_LIMIT = /^[1-9][0-9]{0,6}\/[1-9][0-9]{0,5}[smh]$/;
const rateLimitMessage = (name: string) =>
  `${name} must be <requests>/<window>, the window in s, m or h (for example 20/1m)`;

const toDurationMs = ({ value }: { value: unknown }): number => parseDurationMs(value);

/** 32 bytes as 64 hex digits, or as base64 / base64url (43 characters, or 44 with its `=` padding). */
const ENCRYPTION_KEY = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/;
const ENCRYPTION_KEY_MESSAGE =
  'must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)';

/**
 * Every environment variable the service reads, with its default. The README's configuration table and
 * `.env.example` list the same names; keep the three together.
 */
export class Environment {
  /** `production` makes development fallbacks (a log mail transport, a built-in encryption key) refuse to start. */
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'development';

  @Matches(/^postgres(ql)?:\/\/[^/]+\/[A-Za-z0-9_-]+([?].*)?$/, {
    message: 'DATABASE_URL must be postgres://user[:password]@host[:port]/database',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/onboarding';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /** PostgreSQL's statement_timeout for every connection: no query waits (or runs) longer. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /**
   * Named prepared statements on the hot paths (parsed and planned once per connection). `false` for a pooler in
   * transaction mode that does not track them (PgBouncer before 1.21, or without max_prepared_statements).
   */
  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  @Matches(/^amqps?:\/\/.+/, { message: 'RABBITMQ_URL must be amqp://user:password@host[:port][/vhost]' })
  RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, {
    message: 'RABBITMQ_TOPOLOGY_PREFIX must be lower-case letters, digits, ".", "_" or "-" (max 64)',
  })
  RABBITMQ_TOPOLOGY_PREFIX = 'onboarding';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  RABBITMQ_PREFETCH = 16;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  RABBITMQ_BATCH_PREFETCH = 128;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  RABBITMQ_DELIVERY_LIMIT = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1000)
  RABBITMQ_MESSAGE_TTL_MS = 86_400_000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  RABBITMQ_PUBLISH_TIMEOUT_MS = 5000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(600)
  RABBITMQ_HEARTBEAT_SECONDS = 10;

  /** The broker's consumer_timeout (RabbitMQ's default: 30 min); handlers and held messages stay below it. */
  @Type(() => Number)
  @IsInt()
  @Min(10_000)
  RABBITMQ_CONSUMER_TIMEOUT_MS = 1_800_000;

  /** How often the worker declares its exchanges, queues and bindings again (lost bindings come back). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  RABBITMQ_TOPOLOGY_CHECK_INTERVAL_MS = 15_000;

  /** A message handler running longer fails (transiently) and is retried. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  WORKER_HANDLER_TIMEOUT_MS = 60_000;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  RETRY_INITIAL_DELAY_MS = 1000;

  @Type(() => Number)
  @Min(1)
  @Max(10)
  RETRY_BACKOFF_FACTOR = 2;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  RETRY_MAX_DELAY_MS = 300_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  RETRY_MAX_ATTEMPTS = 8;

  @Type(() => Number)
  @Min(0)
  @Max(0.9)
  RETRY_JITTER_RATIO = 0.2;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HTTP_PORT = 3001;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  HTTP_BODY_LIMIT_BYTES = 16_384;

  @Transform(toTokenList)
  @IsString({ each: true })
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    each: true,
    message: 'ADMIN_TOKENS must be comma-separated tokens of 16 to 256 printable ASCII characters',
  })
  ADMIN_TOKENS: string[] = [];

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Type(() => Number)
  @IsInt()
  @Min(8)
  @Max(4_194_304)
  ARGON2_MEMORY_KIB = 19_456;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  @Type(() => Number)
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 100;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /**
   * How far V8 lets the heap grow past what survived the last full collection before collecting again, in
   * percent. 0 leaves it to V8, which under load lets the heap reach up to four times the live set.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  HEAP_GROWING_PERCENT = 50;

  /** Published outbox rows older than this are purged. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_DAYS = 7;

  /** Inbox rows (which message each handler applied) older than this are purged. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INBOX_RETENTION_DAYS = 14;

  /** How often the worker purges expired outbox and inbox rows. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  RETENTION_INTERVAL_MS = 600_000;

  /** Rows deleted per statement when purging (small batches keep locks and WAL bursts short). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 1000;

  /** SMTP server of the verification mail: smtp[s]://[user:password@]host[:port]. Unset: the development log transport. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be smtp[s]://[user:password@]host[:port]' })
  SMTP_URL: string | undefined = undefined;

  /** The From of every mail: an address, or `Name <address>`. */
  @Matches(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, {
    message: 'MAIL_FROM must be an address or "Name <address>"',
  })
  MAIL_FROM = 'Onboarding <no-reply@localhost>';

  /** Where verification links point: the page (of your app) that posts the token to POST /users/verify-email. */
  @Matches(/^https?:\/\/[^\s?#]+$/, {
    message: 'PUBLIC_BASE_URL must be an http(s) URL without query or fragment',
  })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /**
   * AES-256-GCM key for secrets stored encrypted (pending verification tokens, later webhook secrets). Unset: a
   * built-in development key with a warning at boot, refused when NODE_ENV=production.
   */
  @IsOptional()
  @IsString()
  @Matches(ENCRYPTION_KEY, { message: `SECRETS_ENCRYPTION_KEY ${ENCRYPTION_KEY_MESSAGE}` })
  SECRETS_ENCRYPTION_KEY: string | undefined = undefined;

  /** Former keys, comma-separated: still decrypt what they encrypted, never encrypt. For key rotation. */
  @Transform(toTokenList)
  @IsString({ each: true })
  @Matches(ENCRYPTION_KEY, {
    each: true,
    message: `SECRETS_ENCRYPTION_PREVIOUS_KEYS: each key ${ENCRYPTION_KEY_MESSAGE}`,
  })
  SECRETS_ENCRYPTION_PREVIOUS_KEYS: string[] = [];

  /** How long a verification link is valid, in milliseconds once parsed (`24h`, `90m`, `60s`, or seconds). */
  @Transform(toDurationMs)
  @IsInt({
    message: 'VERIFICATION_TOKEN_TTL must be a duration such as 24h, 90m or 60s, or a number of seconds',
  })
  @Min(1000, { message: 'VERIFICATION_TOKEN_TTL must be at least 1 second' })
  @Max(30 * 86_400_000, { message: 'VERIFICATION_TOKEN_TTL must be at most 30 days' })
  VERIFICATION_TOKEN_TTL = 86_400_000;

  /** At most one verification mail per user per this interval (registration counts as the first). */
  @Transform(toDurationMs)
  @IsInt({
    message: 'VERIFICATION_RESEND_INTERVAL must be a duration such as 60s or 5m, or a number of seconds',
  })
  @Min(1000, { message: 'VERIFICATION_RESEND_INTERVAL must be at least 1 second' })
  @Max(86_400_000, { message: 'VERIFICATION_RESEND_INTERVAL must be at most 1 day' })
  VERIFICATION_RESEND_INTERVAL = 60_000;

  // --- Webhooks ---

  /** How long one webhook delivery may take (connect, headers and body); longer is a timeout, retried. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /**
   * Lets webhook endpoints resolve to loopback, private, link-local and other non-public addresses, and use plain
   * `http`: for development and tests only. Off, the SSRF guard refuses them at registration and at delivery.
   */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  /** After a secret rotation, deliveries are signed with the old secret too for this long (`24h`, `0`). */
  @Transform(toDurationMs)
  @IsInt({
    message: 'WEBHOOK_SECRET_ROTATION_GRACE must be a duration such as 24h or 30m, or a number of seconds',
  })
  @Min(0, { message: 'WEBHOOK_SECRET_ROTATION_GRACE must not be negative' })
  @Max(30 * 86_400_000, { message: 'WEBHOOK_SECRET_ROTATION_GRACE must be at most 30 days' })
  WEBHOOK_SECRET_ROTATION_GRACE = 86_400_000;

  // --- The public edge: proxies, CORS, documentation, metrics, rate limits, idempotency ---

  /** `false` (no proxy: the socket address is the client), `true`, a hop count, or trusted addresses/CIDRs. */
  @Matches(/^(true|false|[0-9]{1,2}|[0-9a-fA-F:./]+(\s*,\s*[0-9a-fA-F:./]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or comma-separated addresses or CIDRs',
  })
  TRUST_PROXY = 'false';

  @Transform(toTokenList)
  @IsString({ each: true })
  @Matches(/^(https?:\/\/[^/\s,]+|\*)$/, {
    each: true,
    message: 'CORS_ALLOWED_ORIGINS must be comma-separated origins such as https://app.example.com',
  })
  CORS_ALLOWED_ORIGINS: string[] = [];

  @Transform(toBoolean)
  @IsBoolean()
  DOCS_ENABLED = true;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT: number | undefined = undefined;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    message: 'METRICS_TOKEN must be 16 to 256 printable ASCII characters',
  })
  METRICS_TOKEN: string | undefined = undefined;

  @Transform(toBoolean)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  @Matches(RATE_LIMIT, { message: rateLimitMessage('RATE_LIMIT_SIGNUP') })
  RATE_LIMIT_SIGNUP = '20/1m';

  @Matches(RATE_LIMIT, { message: rateLimitMessage('RATE_LIMIT_VERIFICATION') })
  RATE_LIMIT_VERIFICATION = '10/1m';

  @Matches(RATE_LIMIT, { message: rateLimitMessage('RATE_LIMIT_ADMIN') })
  RATE_LIMIT_ADMIN = '600/1m';

  @Matches(RATE_LIMIT, { message: rateLimitMessage('RATE_LIMIT_ADMIN_AUTH_FAILURES') })
  RATE_LIMIT_ADMIN_AUTH_FAILURES = '10/1m';

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be redis[s]://[user:password@]host[:port][/db]' })
  REDIS_URL: string | undefined = undefined;

  @Matches(/^[A-Za-z0-9:._-]{1,64}$/, {
    message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits, ":", ".", "_" or "-"',
  })
  REDIS_KEY_PREFIX = 'onboarding:';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ARGON2_MAX_PENDING = 32;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(720)
  IDEMPOTENCY_KEY_TTL_HOURS = 24;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{32,256}$/, {
    message: 'IDEMPOTENCY_FINGERPRINT_KEY must be 32 to 256 printable ASCII characters',
  })
  IDEMPOTENCY_FINGERPRINT_KEY: string | undefined = undefined;
}
