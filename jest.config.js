/**
 * The unit, policy and real-tool tests (`npm test`). One worker per core: jest's default
 * (cores - 1) leaves a 2-core machine one worker while most suites wait on child processes
 * (servers, Go tools, Python), so both cores pay off (docs/benchmarks.md).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120000,
};
