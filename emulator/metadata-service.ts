/**
 * A stand-in for the ECS instance metadata service, the part that `ecs_ram_role` credentials use:
 * an IMDSv2 token (PUT /latest/api/token), the attached role's name and its temporary credentials.
 * The library calls the fixed address 100.100.100.200: tests start this inside a network
 * namespace of their own that has that address on its loopback, never on the machine's interfaces.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StsAuthority } from './sts';

export interface MetadataServiceOptions {
  /** The role attached to the "instance". */
  roleName: string;
  /** Default 127.0.0.1 (inside a namespace: 100.100.100.200). */
  host?: string;
  /** Default 0 (inside a namespace: 80). */
  port?: number;
}

export interface RunningMetadataService {
  url: string;
  /** Every request: method and path (tokens and credentials are not logged). */
  log(): ReadonlyArray<{ at: number; method: string; path: string }>;
  stop(): Promise<void>;
}

export async function startMetadataService(
  options: MetadataServiceOptions,
  authority: StsAuthority,
  now: () => number,
): Promise<RunningMetadataService> {
  const tokens = new Set<string>();
  const log: Array<{ at: number; method: string; path: string }> = [];
  const sockets = new Set<Socket>();
  const base = '/latest/meta-data/ram/security-credentials/';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://metadata').pathname;
    log.push({ at: now(), method: req.method ?? 'GET', path });
    const token = req.headers['x-aliyun-ecs-metadata-token'];
    // IMDSv2 when a token is presented (it must be one we issued); IMDSv1 otherwise, as ECS allows by default.
    if (typeof token === 'string' && !tokens.has(token)) return void res.writeHead(401).end('invalid metadata token');
    if (req.method === 'PUT' && path === '/latest/api/token') {
      if (!req.headers['x-aliyun-ecs-metadata-token-ttl-seconds']) return void res.writeHead(400).end('missing ttl');
      const issued = randomBytes(24).toString('base64url');
      tokens.add(issued);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(issued);
    }
    if (req.method === 'GET' && path === base)
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(options.roleName);
    if (req.method === 'GET' && path === `${base}${options.roleName}`) {
      const issued = authority.issue(authority.lifetimeMs ?? 6 * 3600_000, now());
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          AccessKeyId: issued.accessKeyId,
          AccessKeySecret: issued.accessKeySecret,
          SecurityToken: issued.securityToken,
          Expiration: issued.expiration,
          LastUpdated: new Date(now()).toISOString(),
          Code: 'Success',
        }),
      );
    }
    res.writeHead(404).end('not found');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
