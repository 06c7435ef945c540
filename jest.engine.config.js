/**
 * The engine proof (`npm run test:engine`, test/engine/*.etest.ts): the real OpenTofu and
 * control-plane binaries, built from their Go modules on first use and cached outside the
 * repository. One worker: the builds and the engine runs are heavy, the cores are shared.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/engine'],
  testMatch: ['**/*.etest.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  maxWorkers: 1,
  testTimeout: 45 * 60_000,
};
