import { type Algorithm, hash } from '@node-rs/argon2';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

/**
 * The bare baseline of the benchmark: a minimal Fastify + pg server doing the product's signup transaction and
 * nothing else (no Nest, no validation library, no ORM, no logging, no relay, no worker). Not part of the product:
 * it only gives the product's numbers a floor measured on the same machine in the same run. Started as a child
 * process by bench/run.ts with DATABASE_URL (a database migrated by the project's own CLI), PORT and the argon2id
 * cost the product is given in the same run (ARGON2_MEMORY_KIB, ARGON2_TIME_COST).
 */

// Algorithm.Argon2id; the enum is an ambient const enum, which isolatedModules compilation cannot inline.
const ARGON2ID = 2 as Algorithm;

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const pool = new Pool({
  connectionString: env('DATABASE_URL'),
  // The product's defaults: DATABASE_POOL_SIZE=20, a statement timeout.
  max: Number(env('DATABASE_POOL_SIZE', '20')),
  options: '-c statement_timeout=5000',
});
pool.on('error', () => undefined);
const hashOptions = {
  algorithm: ARGON2ID,
  memoryCost: Number(env('ARGON2_MEMORY_KIB', '19456')),
  timeCost: Number(env('ARGON2_TIME_COST', '2')),
  parallelism: 1,
};

interface SignupBody {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

const app = Fastify({ logger: false });

app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

// The same rows as UsersService.register: the user (RETURNING what the product returns), then its
// `user.registered` event in the outbox, in one transaction; the outbox trigger NOTIFYs on commit as in the product.
app.post<{ Body: SignupBody }>(
  '/users',
  {
    schema: {
      body: {
        type: 'object',
        required: ['email', 'password', 'firstName', 'lastName'],
        properties: {
          email: { type: 'string', maxLength: 254 },
          password: { type: 'string', minLength: 8, maxLength: 256 },
          firstName: { type: 'string', minLength: 1, maxLength: 100 },
          lastName: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
    },
  },
  async (request, reply) => {
    const body = request.body;
    const passwordHash = await hash(body.password.normalize('NFKC'), hashOptions);
    const id = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Record<string, unknown>>(
        `INSERT INTO users (id, email, password_hash, first_name, last_name, status, onboarding_status)
         VALUES ($1, $2, $3, $4, $5, 'pending_verification', 'pending')
         RETURNING id, email, first_name, last_name, status, onboarding_status, created_at, updated_at,
                   email_verified_at, verification_method, erased_at, version`,
        [id, body.email.trim().toLowerCase(), passwordHash, body.firstName.trim(), body.lastName.trim()],
      );
      const user = rows[0];
      await client.query(
        `INSERT INTO outbox_messages (id, message_id, exchange, routing_key, payload, headers)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
        [
          randomUUID(),
          null,
          'events',
          'user.registered',
          JSON.stringify({ userId: id, registeredAt: (user.created_at as Date).toISOString() }),
          JSON.stringify({ 'x-request-id': randomUUID() }),
        ],
      );
      await client.query('COMMIT');
      void reply.code(201).header('location', `/users/${id}`);
      return {
        id,
        email: user.email,
        firstName: user.first_name,
        lastName: user.last_name,
        status: user.status,
        onboardingStatus: user.onboarding_status,
        emailVerifiedAt: null,
        verificationMethod: null,
        createdAt: (user.created_at as Date).toISOString(),
        updatedAt: (user.updated_at as Date).toISOString(),
        erasedAt: null,
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
);

const shutdown = () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

app.listen({ host: '127.0.0.1', port: Number(env('PORT')) }).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
