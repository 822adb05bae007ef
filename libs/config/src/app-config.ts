import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Environment, LogLevel, NodeEnvironment } from './environment';

/** The named rate limits (see RATE_LIMIT_* and libs/rate-limiting). */
export const RATE_LIMIT_POLICIES = ['signup', 'verification', 'admin', 'admin-auth-failures'] as const;
export type RateLimitPolicyName = (typeof RATE_LIMIT_POLICIES)[number];

/** `limit` requests per `windowMs` milliseconds. */
export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

const WINDOW_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

function parseRateLimit(value: string): RateLimitPolicy {
  const [limit, window] = value.split('/') as [string, string];
  const unit = window.slice(-1) as keyof typeof WINDOW_UNIT_MS;
  return { limit: Number(limit), windowMs: Number(window.slice(0, -1)) * WINDOW_UNIT_MS[unit] };
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^[0-9]+$/.test(value)) return Number(value);
  return value.split(',').map((address) => address.trim());
}

/** Used when IDEMPOTENCY_FINGERPRINT_KEY is unset outside production; public, so worthless as a secret. */
const DEVELOPMENT_FINGERPRINT_KEY = 'development-only-idempotency-fingerprint-key';

/** Raised at boot when a variable is missing or malformed; the message names every offending variable. */
export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/**
 * The validated, typed configuration of both apps. It is the only reader of `process.env`: everything else gets
 * this object injected (it is also the DI token).
 */
export class AppConfig {
  readonly nodeEnv: NodeEnvironment;
  readonly http: { port: number; bodyLimitBytes: number };
  readonly worker: { httpPort: number; handlerTimeoutMs: number };
  readonly database: {
    url: string;
    poolSize: number;
    statementTimeoutMs: number;
    preparedStatements: boolean;
  };
  readonly rabbitmq: {
    url: string;
    topologyPrefix: string;
    prefetch: number;
    /** The prefetch of the queues whose step takes messages in batches (a batch is at most what is unacked). */
    batchPrefetch: number;
    deliveryLimit: number;
    messageTtlMs: number;
    publishTimeoutMs: number;
    heartbeatSeconds: number;
    consumerTimeoutMs: number;
    topologyCheckIntervalMs: number;
  };
  readonly outbox: { pollIntervalMs: number; batchSize: number };
  readonly retention: { outboxDays: number; inboxDays: number; intervalMs: number; batchSize: number };
  readonly retry: {
    initialDelayMs: number;
    factor: number;
    maxDelayMs: number;
    maxAttempts: number;
    jitterRatio: number;
  };
  readonly passwordHashing: { memoryKib: number; timeCost: number; parallelism: number; maxPending: number };
  /** The public edge: proxies, CORS, documentation and where metrics are served. */
  readonly edge: {
    trustProxy: boolean | number | string[];
    corsAllowedOrigins: readonly string[];
    docsEnabled: boolean;
    metrics: { port?: number; token?: string };
  };
  readonly rateLimits: { enabled: boolean; policies: Record<RateLimitPolicyName, RateLimitPolicy> };
  /** Redis is optional: without a URL, rate-limit counters stay in the process. */
  readonly redis: { url?: string; keyPrefix: string };
  readonly idempotency: { ttlHours: number; fingerprintKey: string };
  readonly adminTokens: readonly string[];
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  /** V8's heap growing factor, in percent over the live set; 0 for V8's own (see limitHeapGrowth). */
  readonly heapGrowingPercent: number;
  /** Keys of the SecretBox (libs/secrets); `encryptionKey` null when SECRETS_ENCRYPTION_KEY is unset. */
  readonly secrets: { encryptionKey: Buffer | null; previousKeys: readonly Buffer[] };
  readonly verification: { tokenTtlMs: number; resendIntervalMs: number };
  readonly mail: { smtpUrl?: string; from: string };
  /** Outgoing webhooks: the delivery timeout, the SSRF guard's switch, and the rotation grace period. */
  readonly webhooks: { timeoutMs: number; allowPrivateNetworks: boolean; secretRotationGraceMs: number };
  /** Base of the links the service mails (verification). */
  readonly publicBaseUrl: string;

  private constructor(env: Environment) {
    this.nodeEnv = env.NODE_ENV;
    this.http = { port: env.PORT, bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES };
    this.worker = { httpPort: env.WORKER_HTTP_PORT, handlerTimeoutMs: env.WORKER_HANDLER_TIMEOUT_MS };
    this.database = {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    };
    this.rabbitmq = {
      url: env.RABBITMQ_URL,
      topologyPrefix: env.RABBITMQ_TOPOLOGY_PREFIX,
      prefetch: env.RABBITMQ_PREFETCH,
      batchPrefetch: env.RABBITMQ_BATCH_PREFETCH,
      deliveryLimit: env.RABBITMQ_DELIVERY_LIMIT,
      messageTtlMs: env.RABBITMQ_MESSAGE_TTL_MS,
      publishTimeoutMs: env.RABBITMQ_PUBLISH_TIMEOUT_MS,
      heartbeatSeconds: env.RABBITMQ_HEARTBEAT_SECONDS,
      consumerTimeoutMs: env.RABBITMQ_CONSUMER_TIMEOUT_MS,
      topologyCheckIntervalMs: env.RABBITMQ_TOPOLOGY_CHECK_INTERVAL_MS,
    };
    this.outbox = { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, batchSize: env.OUTBOX_BATCH_SIZE };
    this.retention = {
      outboxDays: env.OUTBOX_RETENTION_DAYS,
      inboxDays: env.INBOX_RETENTION_DAYS,
      intervalMs: env.RETENTION_INTERVAL_MS,
      batchSize: env.RETENTION_BATCH_SIZE,
    };
    this.retry = {
      initialDelayMs: env.RETRY_INITIAL_DELAY_MS,
      factor: env.RETRY_BACKOFF_FACTOR,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      jitterRatio: env.RETRY_JITTER_RATIO,
    };
    this.passwordHashing = {
      memoryKib: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      maxPending: env.ARGON2_MAX_PENDING,
    };
    this.edge = {
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      corsAllowedOrigins: Object.freeze([...env.CORS_ALLOWED_ORIGINS]),
      docsEnabled: env.DOCS_ENABLED,
      metrics: { port: env.METRICS_PORT, token: env.METRICS_TOKEN },
    };
    this.rateLimits = {
      enabled: env.RATE_LIMIT_ENABLED,
      policies: {
        signup: parseRateLimit(env.RATE_LIMIT_SIGNUP),
        verification: parseRateLimit(env.RATE_LIMIT_VERIFICATION),
        admin: parseRateLimit(env.RATE_LIMIT_ADMIN),
        'admin-auth-failures': parseRateLimit(env.RATE_LIMIT_ADMIN_AUTH_FAILURES),
      },
    };
    this.redis = { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX };
    this.idempotency = {
      ttlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
      fingerprintKey: env.IDEMPOTENCY_FINGERPRINT_KEY ?? DEVELOPMENT_FINGERPRINT_KEY,
    };
    this.adminTokens = Object.freeze([...env.ADMIN_TOKENS]);
    this.logLevel = env.LOG_LEVEL;
    this.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS;
    this.heapGrowingPercent = env.HEAP_GROWING_PERCENT;
    this.secrets = {
      encryptionKey: env.SECRETS_ENCRYPTION_KEY ? decodeKey(env.SECRETS_ENCRYPTION_KEY) : null,
      previousKeys: Object.freeze(env.SECRETS_ENCRYPTION_PREVIOUS_KEYS.map(decodeKey)),
    };
    this.mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM };
    this.publicBaseUrl = env.PUBLIC_BASE_URL.replace(/\/+$/, '');
    this.webhooks = {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      secretRotationGraceMs: env.WEBHOOK_SECRET_ROTATION_GRACE,
    };
    this.verification = {
      tokenTtlMs: env.VERIFICATION_TOKEN_TTL,
      resendIntervalMs: env.VERIFICATION_RESEND_INTERVAL,
    };
  }

  /** `NODE_ENV=production`: development fallbacks are refused. */
  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /**
   * Validates raw variables (unset or empty ones take their default) and returns the typed configuration.
   * @throws InvalidConfigurationError naming each bad variable
   */
  static load(variables: Record<string, string | undefined> = process.env): AppConfig {
    const known = Object.keys(new Environment());
    const present = Object.fromEntries(
      known
        .map((name) => [name, variables[name]] as const)
        .filter(([, value]) => value !== undefined && value !== ''),
    );
    const env = plainToInstance(Environment, present, { exposeDefaultValues: true });
    const errors = validateSync(env, { forbidUnknownValues: true });
    const problems = errors.flatMap((error) =>
      Object.values(error.constraints ?? {}).map((message) =>
        message.startsWith(error.property) ? message : `${error.property}: ${message}`,
      ),
    );
    if (env.NODE_ENV === 'production' && env.IDEMPOTENCY_FINGERPRINT_KEY === undefined) {
      problems.push('IDEMPOTENCY_FINGERPRINT_KEY must be set in production (the development key is public)');
    }
    if (problems.length === 0) problems.push(...crossFieldProblems(env));
    if (problems.length > 0) throw new InvalidConfigurationError(problems);
    return new AppConfig(env);
  }
}

/** Rules between variables, checked once each variable is valid on its own. */
function crossFieldProblems(env: Environment): string[] {
  const problems: string[] = [];
  // A handler (or a held message) past the broker's consumer timeout gets its channel closed under it.
  if (env.WORKER_HANDLER_TIMEOUT_MS >= env.RABBITMQ_CONSUMER_TIMEOUT_MS) {
    problems.push('WORKER_HANDLER_TIMEOUT_MS must be below RABBITMQ_CONSUMER_TIMEOUT_MS');
  }
  if (env.DATABASE_STATEMENT_TIMEOUT_MS >= env.WORKER_HANDLER_TIMEOUT_MS) {
    problems.push('DATABASE_STATEMENT_TIMEOUT_MS must be below WORKER_HANDLER_TIMEOUT_MS');
  }
  // The delivery step records its attempt after the HTTP call, all within the handler's deadline.
  if (env.WEBHOOK_TIMEOUT_MS >= env.WORKER_HANDLER_TIMEOUT_MS) {
    problems.push('WEBHOOK_TIMEOUT_MS must be below WORKER_HANDLER_TIMEOUT_MS');
  }
  return problems;
}

/** A key validated by the environment's pattern: 64 hex digits, else base64 or base64url (Node reads both). */
function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

/** Loads `.env` from the working directory into the environment when the file exists (variables set win). */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
