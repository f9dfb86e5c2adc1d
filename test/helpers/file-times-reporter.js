'use strict';
/**
 * A jest reporter: at the end of a run, one line per test file with its time and result, slowest
 * first, printed and appended to $TEST_FILE_TIMES (when set; .ci/run prints it as its last lines).
 */
const { appendFileSync } = require('node:fs');
const { relative } = require('node:path');

class FileTimesReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const rows = results.testResults
      .map((r) => ({
        file: relative(this.rootDir, r.testFilePath),
        seconds: (r.perfStats.end - r.perfStats.start) / 1000,
        passed: r.numPassingTests,
        failed: r.numFailingTests + (r.testExecError ? 1 : 0),
        skipped: r.numPendingTests,
      }))
      .sort((a, b) => b.seconds - a.seconds);
    const lines = rows.map(
      (r) =>
        `${r.seconds.toFixed(0).padStart(6)} s  ${r.file}  (${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''})`,
    );
    const total = rows.reduce((s, r) => s + r.seconds, 0);
    const text = `time per test file (${rows.length} files, ${total.toFixed(0)} s in all):\n${lines.join('\n')}\n`;
    process.stdout.write(`\n${text}`);
    if (process.env.TEST_FILE_TIMES) appendFileSync(process.env.TEST_FILE_TIMES, text);
  }
}
module.exports = FileTimesReporter;
