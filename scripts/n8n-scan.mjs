#!/usr/bin/env node
// Runs n8n's own verification scanner (@n8n/scan-community-package, the analysis behind
// `npx @n8n/scan-community-package`) offline, on the two legs n8n lints before it verifies a
// package: the source (package.json and {nodes,credentials}/**) and the unpacked tarball
// (every .js and package.json). The scanner is installed outside the repository, with
// --ignore-scripts (one of its dependencies has a pnpm-only install script), by scripts/hosts.sh.
//
//   node scripts/n8n-scan.mjs source  DIR   -> the source leg on DIR (a package root)
//   node scripts/n8n-scan.mjs tarball FILE  -> the tarball leg on FILE, unpacked into a temporary folder
//   node scripts/n8n-scan.mjs pack    DIR   -> `npm pack` of DIR (from its last build), then the tarball leg
//
// Prints the scanner's report and a last line `n8n-scan <leg>: N errors, M warnings`; exits 1 on any error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SCANNER_VERSION = '0.32.0';
const [leg, target] = process.argv.slice(2);
const targetPath = target && resolve(target);
if (!['source', 'tarball', 'pack'].includes(leg) || !target) {
  console.error('usage: node scripts/n8n-scan.mjs source DIR | tarball FILE | pack DIR');
  process.exit(2);
}
const here = new URL('.', import.meta.url).pathname;
const scannerHome = execFileSync(
  'bash',
  [
    join(here, 'hosts.sh'),
    'ensure_package',
    `n8n-scanner-${SCANNER_VERSION}`,
    `@n8n/scan-community-package@${SCANNER_VERSION}`,
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
).trim();
const scannerModule = join(scannerHome, 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerModule).href);
// The scanner's ESLint resolves its plugins from its own folder.
process.chdir(scannerHome);

let dir = targetPath;
let cleanup = () => {};
if (leg !== 'source') {
  const unpacked = mkdtempSync(join(tmpdir(), 'n8n-scan-'));
  let tarball = dir;
  if (leg === 'pack') {
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', unpacked], {
      cwd: dir,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    tarball = join(unpacked, name);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
  dir = unpacked;
  cleanup = () => rmSync(unpacked, { recursive: true, force: true });
}
try {
  const patterns = leg === 'source' ? SOURCE_FILE_PATTERNS : ['**/*.js', 'package.json'];
  const result = await analyzePackage(dir, patterns);
  if (result.details) console.log(result.details);
  if (result.error) console.log(result.message);
  const totals = /(\d+) problems? \((\d+) errors?, (\d+) warnings?\)/.exec(result.details ?? '');
  const errors = result.passed ? 0 : totals ? Number(totals[2]) : 1;
  const warnings = totals ? Number(totals[3]) : 0;
  console.log(`n8n-scan ${leg === 'source' ? 'source' : 'tarball'}: ${errors} errors, ${warnings} warnings`);
  process.exitCode = result.passed ? 0 : 1;
} finally {
  cleanup();
}
