#!/usr/bin/env node
'use strict';
// `n8n-node lint` in strict mode (n8n Cloud's preset, nothing turned off) on the verifiable n8n
// package as n8n sees a package: its package.json, n8n's default eslint.config.mjs (strict mode
// refuses any other), its nodes and credential, and the sources of the part of the core it ships
// (scripts/package-files.js), as compiled (.js and .d.ts: n8n's rules lint the package's own
// TypeScript, its nodes and credential; the compiled core is checked by n8n's scanner on the tarball,
// scripts/n8n-scan.mjs). The repository's own eslint.config.mjs cannot be n8n's default: it
// also lints the core's rooms, the Node-RED nodes, the emulator and the tests, which n8n's rules do
// not apply to. So the package is staged into .n8n-lint/ (gitignored) and linted there; the same
// rules run again on the packed tarball (scripts/n8n-scan.mjs).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { closure, entriesOf, ROOT } = require('./lib/closure');

const STAGE = path.join(ROOT, '.n8n-lint');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
if (pkg.n8n?.strict !== true)
  throw new Error('package.json n8n.strict must be true: the package is linted as n8n verifies it');

fs.rmSync(STAGE, { recursive: true, force: true });
fs.mkdirSync(STAGE, { recursive: true });
const copy = (rel) => {
  const from = path.join(ROOT, rel);
  if (!fs.existsSync(from)) return;
  fs.mkdirSync(path.dirname(path.join(STAGE, rel)), { recursive: true });
  fs.cpSync(from, path.join(STAGE, rel), { recursive: true });
};
copy('package.json');
copy('tsconfig.json');
copy('icons');
copy('credentials');
for (const dir of ['AlibabaCloudMqtt', 'AlibabaCloudMqttTrigger', 'n8n-common']) copy(`nodes/${dir}`);
// The core as the package ships it: the compiled closure of its entries (dist/ built first), with
// its declarations for the nodes' imports.
for (const file of closure(entriesOf(pkg)).files.filter((f) => f.startsWith('lib/'))) {
  for (const compiled of [file, file.replace(/\.js$/, '.d.ts')]) {
    fs.mkdirSync(path.dirname(path.join(STAGE, compiled)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist', compiled), path.join(STAGE, compiled));
  }
}
const CLI = path.join(ROOT, 'node_modules/@n8n/node-cli');
fs.copyFileSync(
  path.join(CLI, 'dist/template/templates/shared/default/eslint.config.mjs'),
  path.join(STAGE, 'eslint.config.mjs'),
);
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(STAGE, 'node_modules'), 'dir');

try {
  execFileSync(process.execPath, [path.join(CLI, 'bin/n8n-node.mjs'), 'lint'], {
    cwd: STAGE,
    stdio: 'inherit',
    env: { ...process.env, CI: 'true' },
  });
} finally {
  if (!process.argv.includes('--keep')) fs.rmSync(STAGE, { recursive: true, force: true });
}
