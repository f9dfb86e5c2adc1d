'use strict';
/**
 * jest's node environment, plus a window on the real process's warnings: inside a test file,
 * `process` is jest's stand-in, and a warning Node emits (MaxListenersExceededWarning from an
 * AbortSignal with too many listeners) never reaches a listener there. This environment listens
 * on the real process and hands each warning to the file's fault guard (test/helpers/fault-guard.ts)
 * through `globalThis.__processWarnings`.
 */
const { TestEnvironment } = require('jest-environment-node');

class FaultEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__processWarnings = [];
    this.onWarning = (warning) =>
      this.global.__processWarnings.push({ name: warning.name, message: warning.message, stack: warning.stack });
  }
  async setup() {
    await super.setup();
    process.on('warning', this.onWarning);
  }
  async teardown() {
    process.off('warning', this.onWarning);
    await super.teardown();
  }
}
module.exports = FaultEnvironment;
