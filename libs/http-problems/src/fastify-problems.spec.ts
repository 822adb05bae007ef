import Fastify from 'fastify';
import { answerShutdownWithProblem } from './fastify-problems';

describe('answerShutdownWithProblem', () => {
  it('when the process is shutting down, then a request gets 503 SHUTTING_DOWN as a problem, with Connection: close; probes still answer', async () => {
    let shuttingDown = false;
    const fastify = Fastify();
    answerShutdownWithProblem(fastify, () => shuttingDown);
    fastify.get('/users', async () => ({ ok: true }));
    fastify.get('/health/ready', async () => ({ status: 'shutting down' }));
    await fastify.ready();

    const before = await fastify.inject({ method: 'GET', url: '/users' });
    shuttingDown = true;
    const during = await fastify.inject({ method: 'GET', url: '/users' });
    const probe = await fastify.inject({ method: 'GET', url: '/health/ready' });
    await fastify.close();

    expect(before.statusCode).toBe(200);
    expect(during.statusCode).toBe(503);
    expect(during.headers['content-type']).toContain('application/problem+json');
    expect(during.headers.connection).toBe('close');
    expect(during.headers['retry-after']).toBe('1');
    expect(during.json()).toMatchObject({ code: 'SHUTTING_DOWN', instance: '/users' });
    expect(probe.statusCode).toBe(200);
  });
});
