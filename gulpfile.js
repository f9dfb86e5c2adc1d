'use strict';
// Build = tsc, then copy what tsc does not emit (icons, n8n codex JSON, Node-RED .html,
// locales/, node icons and the emulator's test TLS files) into dist/ at the same relative paths.
const { src, dest, series } = require('gulp');
const { spawn } = require('child_process');
const fs = require('fs');

function clean(cb) {
  fs.rmSync('dist', { recursive: true, force: true });
  cb();
}

function compile(cb) {
  const tsc = require.resolve('typescript/bin/tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  child.on('exit', (code) => cb(code === 0 ? undefined : new Error(`tsc exited with code ${code}`)));
}

function copyAssets() {
  return src(
    [
      'icons/**/*.{svg,png}',
      'nodes/**/*.{svg,png,html}',
      'nodes/**/*.node.json',
      'nodes/**/locales/**/*.{json,html}',
      'credentials/**/*.{svg,png}',
      'emulator/tls/*.pem',
    ],
    {
      base: '.',
      encoding: false,
    },
  ).pipe(dest('dist'));
}

exports.clean = clean;
exports.build = series(clean, compile, copyAssets);
exports.default = exports.build;
