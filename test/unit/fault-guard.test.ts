/**
 * The suite's fault guard (test/helpers/fault-guard.ts) really fails a test whose fault comes after
 * its assertions: jest is run on a fixture whose tests each pass, then reject or leak listeners.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

it('an unhandled rejection or a MaxListenersExceededWarning fails the test it happened in; a clean test passes', () => {
  const config = {
    rootDir: root,
    roots: ['<rootDir>/test/fixtures/fault-guard'],
    testMatch: ['**/*.fixture.ts'],
    testEnvironment: '<rootDir>/test/helpers/fault-environment.js',
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
    setupFilesAfterEnv: ['<rootDir>/test/helpers/fault-guard.ts'],
  };
  const run = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--json', '--ci'],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(run.status).not.toBe(0);
  const report = JSON.parse(run.stdout) as {
    testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
  };
  const results = report.testResults[0].assertionResults;
  const byTitle = Object.fromEntries(results.map((r) => [r.title, r]));
  expect(byTitle['a rejection nobody handles, after the assertions'].status).toBe('failed');
  expect(byTitle['a rejection nobody handles, after the assertions'].failureMessages.join('')).toContain(
    'late-rejection-SENTINEL',
  );
  expect(byTitle['a listener leak'].status).toBe('failed');
  expect(byTitle['a listener leak'].failureMessages.join('')).toContain('MaxListenersExceededWarning');
  expect(byTitle['a clean test stays green'].status).toBe('passed');
}, 150_000);
