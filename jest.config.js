/**
 * The unit, synthesis, policy and hostile-input tests (`npm test`): node only, no tool to build
 * or install (timings in docs/benchmarks.md). The real software runs in `npm run test:tools`
 * (jest.tools.config.js, `*.ttest.ts`). One worker per core: jest's default (cores - 1) leaves
 * a 2-core machine one worker while some suites wait on child processes (the app command,
 * git), so both cores pay off (docs/benchmarks.md). The environment is jest's Node one with an
 * ordinary global object (globals read as fast as in Node, not through jest's sandbox) and the
 * stacks cdktf captures for every token formatted without jest's per-frame work
 * (test/support/node-environment.cjs). The suites that only read a synthesis of the default
 * deployment or the fleet example share one of each per run (test/support/shared-synthesis.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/test-run-setup.ts',
  globalTeardown: '<rootDir>/test/support/test-run-teardown.ts',
};
