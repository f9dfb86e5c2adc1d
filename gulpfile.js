'use strict';
// Build = tsc, then copy what tsc does not emit (icons, n8n codex JSON, Node-RED .html,
// locales/, node icons and the emulator's test TLS files) into dist/ at the same relative paths.
const { src, dest, series } = require('gulp');
const { spawn } = require('child_process');
const fs = require('fs');

function clean(cb) {
  fs.rmSync('dist', { recursive: true, force: true });
  fs.rmSync('resources', { recursive: true, force: true });
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

/**
 * The Node-RED editor's shared script, served from the package's resources/: its limits are the
 * runtime's own constants (dist/nodes/node-red/editor-limits.js), written in here.
 */
function editorScript(cb) {
  const { EDITOR_LIMITS, EDITOR_DEFAULTS } = require('./dist/nodes/node-red/editor-limits.js');
  const template = fs.readFileSync('nodes/node-red/editor/alicloud-mqtt-editor.js', 'utf8');
  const script = template
    .replace('/* EDITOR_LIMITS */ {}', JSON.stringify(EDITOR_LIMITS))
    .replace('/* EDITOR_DEFAULTS */ {}', JSON.stringify(EDITOR_DEFAULTS));
  if (script === template) return cb(new Error('editor script: the limits placeholder is missing'));
  fs.mkdirSync('resources', { recursive: true });
  fs.writeFileSync('resources/alicloud-mqtt-editor.js', script);
  cb();
}

exports.clean = clean;
exports.build = series(clean, compile, copyAssets, editorScript);
exports.default = exports.build;
