#!/usr/bin/env node
'use strict';
// The verifiable n8n package (the root package.json) ships its nodes, its credential and exactly
// the part of the compiled core they reach (lib/portable's closure): every other module of lib/
// needs Node or a library, which n8n's verification refuses. This writes that list into the
// package.json `files` (`--check`: fails, naming the difference, when it is out of date).
const fs = require('fs');
const path = require('path');
const { closure, entriesOf, ROOT } = require('./lib/closure');

const FIXED = [
  'dist/nodes/AlibabaCloudMqtt',
  'dist/nodes/AlibabaCloudMqttTrigger',
  'dist/nodes/n8n-common',
  'dist/credentials',
  'dist/icons',
  'workflows',
  'README.md',
  'LICENSE',
];

function expectedFiles(pkg) {
  const { files } = closure(entriesOf(pkg));
  return [...FIXED, ...files.filter((f) => f.startsWith('lib/')).map((f) => `dist/${f}`)];
}

const file = path.join(ROOT, 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
const expected = expectedFiles(pkg);
if (process.argv.includes('--check')) {
  const missing = expected.filter((f) => !pkg.files.includes(f));
  const extra = pkg.files.filter((f) => !expected.includes(f));
  if (missing.length || extra.length) {
    console.error(
      `package.json "files" is out of date (node scripts/package-files.js rewrites it): missing ${JSON.stringify(missing)}, not needed ${JSON.stringify(extra)}`,
    );
    process.exit(1);
  }
  console.log(`package.json "files": ${expected.length} entries, up to date`);
} else {
  pkg.files = expected;
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`package.json "files": ${expected.length} entries written`);
}
module.exports = { expectedFiles };
