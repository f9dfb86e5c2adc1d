/**
 * A minimal npm registry on 127.0.0.1 that serves one tiny package and can stall: accept a
 * request and never answer it (what a registry connection does when it hangs mid-install). Used to
 * prove that the host installer detects a stall, ends it and tries again instead of waiting.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StallingRegistry {
  url: string;
  /** Requests answered so far, and requests held without an answer. */
  served: number;
  stalled: number;
  /** Held requests whose client went away (the installer was ended). */
  abandonedByClient: number;
  /** How many of the next requests to hold (Infinity: all of them). */
  stallNext: number;
  close(): Promise<void>;
}

export const PACKAGE_NAME = 'alicloud-mqtt-stall-probe';

function packTinyPackage(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'stall-probe-'));
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'package.json'), JSON.stringify({ name: PACKAGE_NAME, version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(src, 'index.js'), 'module.exports = 42;\n');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    cwd: src,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!));
}

export async function startStallingRegistry(stallNext = 0): Promise<StallingRegistry> {
  const tarball = packTinyPackage();
  const integrity = 'sha512-' + createHash('sha512').update(tarball).digest('base64');
  const shasum = createHash('sha1').update(tarball).digest('hex');
  const held = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (registry.stallNext > 0) {
      registry.stallNext--;
      registry.stalled++;
      held.add(req.socket);
      req.socket.once('close', () => {
        held.delete(req.socket);
        registry.abandonedByClient++;
      });
      return; // never answered
    }
    registry.served++;
    const url = req.url ?? '';
    if (url.endsWith('.tgz')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
      res.end(tarball);
      return;
    }
    if (url.replace(/^\//, '') === PACKAGE_NAME) {
      const packument = {
        name: PACKAGE_NAME,
        'dist-tags': { latest: '1.0.0' },
        versions: {
          '1.0.0': {
            name: PACKAGE_NAME,
            version: '1.0.0',
            main: 'index.js',
            dist: { tarball: `${registry.url}${PACKAGE_NAME}/-/${PACKAGE_NAME}-1.0.0.tgz`, integrity, shasum },
          },
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(packument));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const registry: StallingRegistry = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    served: 0,
    stalled: 0,
    abandonedByClient: 0,
    stallNext,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of held) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return registry;
}
