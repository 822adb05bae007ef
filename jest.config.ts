import type { Config } from 'jest';

/**
 * Two projects: fast unit specs beside the code (`*.spec.ts`), and integration / end-to-end tests under `test/`
 * that talk to the real PostgreSQL and RabbitMQ. Each integration file creates its own database and its own
 * exchange and queue names, and removes them afterwards (see test/support).
 */
const moduleNameMapper = { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' };
// Type checking is the lint step's job (tsc --noEmit); tests only transpile, file by file (isolatedModules).
const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};

const config: Config = {
  // Integration tests wait for real I/O (broker round trips, reconnects); unit tests finish in milliseconds anyway.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testMatch: ['**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform,
      moduleNameMapper,
      setupFiles: ['<rootDir>/test/support/environment.ts'],
    },
  ],
};

export default config;
