/**
 * The deploy benchmark's engine scenario (`npm run bench -- --deploy`, test/engine/*.bench.ts):
 * the engine tier's tools and control plane, fleets deployed by OpenTofu and timed. Never part
 * of a test tier: it measures, and takes from minutes (a fleet of one) to hours (fifty).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/engine'],
  testMatch: ['**/*.bench.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  maxWorkers: 1,
  testTimeout: 4 * 60 * 60_000,
};
