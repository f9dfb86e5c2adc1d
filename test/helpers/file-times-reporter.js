'use strict';
/**
 * A jest reporter: at the end of a run, one line per test file with its time and result, slowest
 * first, then each failed test with the first lines of its error, printed and appended to
 * $TEST_FILE_TIMES and $TEST_FAILURES (when set; .ci/run prints them as its last lines). CI shows
 * only the head and the tail of a long log: a failure must be named there, not only in jest's
 * report far above it.
 */
const { appendFileSync } = require('node:fs');
const { relative } = require('node:path');

/** Lines of a failure message kept in the summary: enough for expected/received and the line. */
const FAILURE_LINES = 14;
// eslint-disable-next-line no-control-regex -- jest colours its messages; the summary is plain text
const ANSI = /\u001b\[[0-9;]*m/g;

function failureText(message) {
  const lines = message.replace(ANSI, '').split('\n');
  // The stack beyond the first frame of the test file is noise here.
  const firstFrame = lines.findIndex((l) => /^\s+at .*\.test\.ts:\d+/.test(l));
  const kept = lines.slice(0, firstFrame >= 0 ? firstFrame + 1 : FAILURE_LINES).filter((l) => l.trim() !== '');
  return kept
    .slice(0, FAILURE_LINES)
    .map((l) => `      ${l.trim()}`)
    .join('\n');
}

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
    const failures = [];
    for (const r of results.testResults) {
      const file = relative(this.rootDir, r.testFilePath);
      if (r.testExecError) failures.push(`  ${file}: could not run\n${failureText(r.testExecError.message)}`);
      for (const t of r.testResults.filter((x) => x.status === 'failed')) {
        failures.push(`  ${file}: ${t.fullName}\n${t.failureMessages.map(failureText).join('\n')}`);
      }
    }
    const text = `time per test file (${rows.length} files, ${total.toFixed(0)} s in all):\n${lines.join('\n')}\n`;
    const failed = failures.length ? `failed tests (${failures.length}):\n${failures.join('\n')}\n` : '';
    process.stdout.write(`\n${text}${failed}`);
    if (process.env.TEST_FILE_TIMES) appendFileSync(process.env.TEST_FILE_TIMES, text);
    if (process.env.TEST_FAILURES && failed) appendFileSync(process.env.TEST_FAILURES, failed);
  }
}
module.exports = FileTimesReporter;
