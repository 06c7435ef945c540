/**
 * The real-tool tier (`npm run test:tools`, test/**\/*.ttest.ts): the rendered configs run by the
 * real software (Debian's servers, Python, Synapse's config loader, helm, the CRD and Pod
 * Security checks, External Secrets' template engine, the HCL parsers, promtool, actionlint,
 * SARIF Multitool, junitparser), built or installed on first use and cached outside the
 * repository; and the stack cache's soundness proof over every value of both example configs
 * (pure, but a minute of CPU). `npm test` keeps the other pure checks, so auditors get their
 * feedback in under a minute. One worker per core, as there: most of these suites wait on child processes.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.ttest.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/test-run-setup.ts',
  globalTeardown: '<rootDir>/test/support/test-run-teardown.ts',
};
