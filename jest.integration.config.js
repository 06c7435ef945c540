/**
 * The integration tier (`npm run test:integration`): boots the real servers with the rendered
 * configs on loopback and probes them (test/integration). One worker: the servers are heavy
 * and the machine is shared; each file bounds its own boot.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.itest.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 10 * 60_000,
  maxWorkers: 1,
  // Every probe's name in the log: each one is a breach lesson.
  verbose: true,
};
