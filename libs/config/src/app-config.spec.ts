import { AppConfig, InvalidConfigurationError } from './app-config';

describe('AppConfig.load', () => {
  it('when nothing is set, then every value takes its documented default', () => {
    const config = AppConfig.load({});

    expect(config.http.port).toBe(3000);
    expect(config.worker.httpPort).toBe(3001);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/onboarding');
    expect(config.rabbitmq.url).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.passwordHashing).toEqual({ memoryKib: 19_456, timeCost: 2, parallelism: 1 });
    expect(config.adminTokens).toEqual([]);
  });

  it('when ADMIN_TOKENS lists tokens, then they are split on commas and trimmed', () => {
    const config = AppConfig.load({ ADMIN_TOKENS: ' first-token-0000000 , second-token-000000 ' });

    expect(config.adminTokens).toEqual(['first-token-0000000', 'second-token-000000']);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['RABBITMQ_URL', 'http://localhost'],
    ['ADMIN_TOKENS', 'short'],
    ['LOG_LEVEL', 'loud'],
  ])('when %s is %p, then loading fails with a message naming the variable', (name, value) => {
    const load = () => AppConfig.load({ [name]: value });

    expect(load).toThrow(InvalidConfigurationError);
    expect(load).toThrow(name);
  });
});
