import { printSoak, runSoak } from '../../bench/soak';

/** The core fault soak at a size that fits CI (the 20,000-query run is `npm run soak`). */
it('2,000 queries under mixed faults: none lost, none duplicated, fail-class sent once, unrecovered as predicted', async () => {
  // A 3 s timeout: the emulator shares this process, and on a machine busy with other work (CI
  // installs its test hosts meanwhile) a 1 s one also expires on answers that were merely late;
  // the retry that follows would read as a fail-class request sent twice. Requests that never
  // answer (1 %) still time out, so the timeout path is exercised all the same.
  const report = await runSoak(2000, { timeoutMs: 3000 });
  process.stdout.write(`${printSoak(report)}\n`);
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ lost: 0, duplicates: 0, failClassResent: 0, unhandledRejections: 0 });
  expect(report.socketsAfter).toBeLessThanOrEqual(report.socketsBefore);
  expect(report.online + report.offline + report.retryClassLeft + report.failClass).toBe(2000);
}, 120_000);
