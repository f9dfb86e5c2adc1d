'use strict';
// The emulator's STS speaks HTTPS with its own test CA; Node reads this at start, so the test
// processes (jest's workers) must have it before they start. `npm test` sets it for the main one.
// The bundle keeps whatever the machine already trusts (scripts/ca-bundle.js).
process.env.NODE_EXTRA_CA_CERTS = require('./scripts/ca-bundle').caBundle();
/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, and the real process's warnings for the fault guard.
  testEnvironment: '<rootDir>/test/helpers/fault-environment.js',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  testMatch: ['**/*.test.ts'],
  // Unhandled rejections, uncaught exceptions and listener leaks fail the test they happen in.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/fault-guard.ts'],
  // The test runner is a Node host: tests that import a room of lib/ directly get Node's timers as
  // the core's clock, as the package's Node entries install them (lib/base/clock.ts).
  setupFiles: ['<rootDir>/test/helpers/node-runtime.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  testTimeout: 30000,
  // Tests start servers on 127.0.0.1; each suite stops its own.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/helpers/file-times-reporter.js'],
};
