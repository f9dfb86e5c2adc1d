'use strict';
/** End-to-end tests: real n8n and real Node-RED processes (slow; `npm run test:e2e`). */
module.exports = {
  // jest's node environment, and the real process's warnings for the fault guard.
  testEnvironment: '<rootDir>/test/helpers/fault-environment.js',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  // Unhandled rejections, uncaught exceptions and listener leaks fail the test they happen in.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/fault-guard.ts'],
  setupFiles: ['<rootDir>/test/helpers/node-runtime.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/helpers/file-times-reporter.js'],
};
