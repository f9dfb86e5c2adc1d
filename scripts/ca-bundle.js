'use strict';
/**
 * NODE_EXTRA_CA_CERTS for processes that must trust the emulator's test CA (its STS speaks HTTPS)
 * without losing what the machine already trusts: Node reads a single file, and machines behind a
 * TLS-inspecting proxy set this variable to their own bundle. We write one file holding both.
 *
 *   node scripts/ca-bundle.js      prints the path of that file
 *   require('./scripts/ca-bundle').caBundle()
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const EMULATOR_CA = path.join(__dirname, '..', 'emulator', 'tls', 'ca.pem');

function caBundle(existing = process.env.NODE_EXTRA_CA_CERTS) {
  const ours = fs.readFileSync(EMULATOR_CA, 'utf8');
  let theirs = '';
  if (existing) {
    try {
      theirs = fs.readFileSync(existing, 'utf8');
    } catch {
      theirs = ''; // a variable pointing nowhere: Node would ignore it too
    }
  }
  if (theirs.includes(ours.trim())) return existing; // already a bundle with our CA
  const content = `${theirs.trimEnd()}\n${ours}`.trimStart();
  const file = path.join(
    os.tmpdir(),
    `alicloud-mqtt-ca-${crypto.createHash('sha256').update(content).digest('hex').slice(0, 16)}.pem`,
  );
  if (!fs.existsSync(file)) {
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
  }
  return file;
}

module.exports = { caBundle, EMULATOR_CA };
if (require.main === module) process.stdout.write(`${caBundle()}\n`);
