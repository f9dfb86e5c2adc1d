'use strict';
// What a package ships of the compiled tree: the files its entry points reach through relative
// requires, and the modules they require from outside (which must be its dependencies, or, for the
// verifiable n8n package, only n8n-workflow and node:crypto).
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');

/**
 * @param {string[]} entries dist-relative .js files
 * @returns {{ files: string[], external: Map<string, string[]> }} dist-relative files, sorted; each
 *   outside module with the files that require it
 */
function closure(entries) {
  const seen = new Set();
  const external = new Map();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(path.join(DIST, file), 'utf8');
    for (const [, spec] of source.matchAll(/require\("([^"]+)"\)/g)) {
      if (!spec.startsWith('.')) {
        if (!external.has(spec)) external.set(spec, []);
        external.get(spec).push(file);
        continue;
      }
      const base = path.join(path.dirname(file), spec);
      const candidates = [`${base}.js`, path.join(base, 'index.js'), base];
      const found = candidates.find(
        (c) => fs.existsSync(path.join(DIST, c)) && fs.statSync(path.join(DIST, c)).isFile(),
      );
      if (!found) throw new Error(`${file} requires ${spec}, which the build did not emit`);
      visit(path.normalize(found));
    }
  };
  for (const entry of entries) visit(path.normalize(entry));
  return { files: [...seen].sort(), external };
}

/** The dist-relative entry files a package.json declares (n8n nodes and credentials, Node-RED nodes, main). */
function entriesOf(pkg) {
  const out = [
    ...(pkg.n8n?.nodes ?? []),
    ...(pkg.n8n?.credentials ?? []),
    ...Object.values(pkg['node-red']?.nodes ?? {}),
  ];
  if (pkg.main) out.push(pkg.main);
  return out.map((p) => p.replace(/^dist\//, ''));
}

module.exports = { closure, entriesOf, ROOT, DIST };
