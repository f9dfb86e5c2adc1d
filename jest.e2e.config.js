'use strict';
// The hosts started by these tests call the emulator's STS over HTTPS: they trust its test CA.
process.env.NODE_EXTRA_CA_CERTS ??= require('path').join(__dirname, 'emulator/tls/ca.pem');
/** End-to-end tests: real n8n and real Node-RED processes (slow; `npm run test:e2e`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  maxWorkers: 1,
};
