'use strict';
// Build = tsc, then copy what tsc does not emit (icons, n8n codex JSON, Node-RED .html,
// locales/, node icons and the emulator's test TLS files) into dist/ at the same relative paths;
// then stage the two packages that are not the repository's root (docs/packages.md): each gets the
// part of dist/ its entry points reach, at the same relative paths, with its assets.
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
      'packages/*/nodes/**/*.node.json',
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

/**
 * Copies dist-relative `files` (and their declarations) into `dir`/dist, and `assets` [from, to] as
 * they are. A file under `own` (the package's own sources, e.g. packages/n8n-extras/) moves up to the
 * package's dist root, so that its layout is the conventional one (dist/nodes, dist/credentials next
 * to dist/lib); the relative requires between the files are rewritten to match, and only those.
 */
function stage(dir, files, assets, own) {
  const path = require('path');
  const target = path.join(dir, 'dist');
  const moved = (f) => (own && f.startsWith(own) ? f.slice(own.length) : f);
  fs.rmSync(target, { recursive: true, force: true });
  for (const file of files) {
    for (const f of [file, file.replace(/\.js$/, '.d.ts')]) {
      if (!fs.existsSync(path.join('dist', f))) continue;
      const to = path.join(target, moved(f));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      let text = fs.readFileSync(path.join('dist', f), 'utf8');
      if (own)
        text = text.replace(/(require\(|from |import\()"(\.{1,2}\/[^"]+)"/g, (whole, lead, spec) => {
          const resolved = path.join(path.dirname(f), spec);
          let relative = path.relative(path.dirname(moved(f)), moved(resolved));
          if (!relative.startsWith('.')) relative = `./${relative}`;
          return `${lead}"${relative}"`;
        });
      fs.writeFileSync(to, text);
    }
  }
  for (const [from, to] of assets) fs.cpSync(from, path.join(dir, to), { recursive: true });
}

/**
 * packages/node-red and packages/n8n-extras: their package.json is committed; what they ship is
 * built here (gitignored). Each ships the closure of its own entry points and nothing else.
 */
function stagePackages(cb) {
  const { closure, entriesOf } = require('./scripts/lib/closure');
  const read = (dir) => JSON.parse(fs.readFileSync(`${dir}/package.json`, 'utf8'));
  const ownAssets = (dir, globDir) =>
    fs
      .readdirSync(`dist/${globDir}`, { recursive: true })
      .filter((f) => /\.(html|svg|png|json)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => [`dist/${globDir}/${f}`, `dist/${globDir}/${f}`]);
  // Each package has its own README (committed); the licence is the repository's.
  const common = () => [['LICENSE', 'LICENSE']];
  const nodeRed = 'packages/node-red';
  stage(nodeRed, closure(entriesOf(read(nodeRed))).files, [
    ...ownAssets(nodeRed, 'nodes/node-red'),
    ['resources', 'resources'],
    ['examples', 'examples'],
    ...common(),
  ]);
  const extras = 'packages/n8n-extras';
  const extrasEntries = entriesOf(read(extras)).map((entry) => `packages/n8n-extras/${entry}`);
  stage(
    extras,
    closure(extrasEntries).files,
    [
      ...ownAssets(extras, 'packages/n8n-extras').map(([from]) => [
        from,
        from.replace('dist/packages/n8n-extras/', 'dist/'),
      ]),
      ['icons', 'dist/icons'],
      ...common(),
    ],
    'packages/n8n-extras/',
  );
  cb();
}

exports.clean = clean;
exports.build = series(clean, compile, copyAssets, editorScript, stagePackages);
exports.default = exports.build;
