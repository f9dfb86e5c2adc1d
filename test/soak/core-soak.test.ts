import { printSoak, runSoak } from '../../bench/soak';

/** The core fault soak at a size that fits CI (the 20,000-query run is `npm run soak`). */
it('2,000 queries under mixed faults: none lost, none duplicated, fail-class sent once, unrecovered as predicted', async () => {
  const report = await runSoak(2000);
  process.stdout.write(`${printSoak(report)}\n`);
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ lost: 0, duplicates: 0, failClassResent: 0, unhandledRejections: 0 });
  expect(report.socketsAfter).toBeLessThanOrEqual(report.socketsBefore);
  expect(report.online + report.offline + report.retryClassLeft + report.failClass).toBe(2000);
}, 120_000);
