/**
 * A hostile service, started by the test on loopback: it repeats pages, lies about totals, sends
 * huge, `null`, truncated and trickling bodies. Every call ends with a bounded number of requests,
 * bounded memory and the right error class, whatever the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OnsMqttClient, OnsMqttError } from '../../lib/internal';
import { MAX_RESPONSE_BYTES } from '../../lib/send/transport';

type Handler = (req: IncomingMessage, res: ServerResponse, action: string, query: URLSearchParams) => void;
let server: Server;
let endpoint: string;
let handler: Handler = (_req, res) => res.end('{}');
const requests: Array<{ action: string; page: string | null }> = [];
let bytesWritten = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const query = new URLSearchParams(body);
      for (const [k, v] of url.searchParams) query.set(k, v);
      // The SDK signs with ACS3 (the action in a header) or the RPC signature (in the query).
      const action = String(req.headers['x-acs-action'] ?? query.get('Action') ?? '');
      requests.push({ action, page: query.get('CurrentPage') });
      handler(req, res, action, query);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests.length = 0;
  bytesWritten = 0;
});

const client = (extra: Partial<ConstructorParameters<typeof OnsMqttClient>[0]> = {}) =>
  new OnsMqttClient({
    accessKeyId: 'LTAI5tHostile',
    accessKeySecret: 'hostile-secret',
    endpoint,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
const DEVICE = { clientId: 'GID_h@@@1', instanceId: 'post-cn-hostile' };
const json = (res: ServerResponse, value: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));

function tracePage(events: number, from: number, total: number) {
  return {
    RequestId: 'r',
    Total: total,
    CurrentPage: 1,
    PageSize: 100,
    DeviceInfoList: Array.from({ length: events }, (_, i) => ({
      Time: `2026-12-02 10:${String(Math.floor((from + i) / 60) % 60).padStart(2, '0')}:${String((from + i) % 60).padStart(2, '0')}.${String(from + i).padStart(3, '0')}`,
      Action: 'connect',
      ActionCode: 'mqtt.trace.action.connect',
      ActionInfo: 'accepted',
      ChannelId: `ch-${from + i}`,
    })),
  };
}

const trace = (c: OnsMqttClient, limit?: number) =>
  c.queryConnectionTrace({ ...DEVICE, from: Date.now() - 3_600_000, to: Date.now(), ...(limit ? { limit } : {}) });

describe('paging against a service that repeats or lies', () => {
  it('the same full page again and again, total a million: stops at the page that adds nothing (2 requests)', async () => {
    handler = (_req, res) => json(res, tracePage(100, 0, 1_000_000));
    const events = await trace(client(), 10_000);
    expect(events).toHaveLength(100);
    expect(requests.filter((r) => r.action === 'QueryMqttTraceDevice')).toHaveLength(2);
  });

  it('always new full pages, total a million: stops at the page ceiling (limit 250: 3 pages, 5 at most)', async () => {
    handler = (_req, res, _action, query) =>
      json(res, tracePage(100, (Number(query.get('CurrentPage')) - 1) * 100, 1_000_000));
    const events = await trace(client(), 250);
    expect(events).toHaveLength(250);
    const pages = requests.filter((r) => r.action === 'QueryMqttTraceDevice').length;
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pages).toBeLessThanOrEqual(5);
  });

  it('offline details against repeating pages: a bounded number of reads per device', async () => {
    handler = (_req, res) => json(res, tracePage(100, 0, 1_000_000));
    const details = await client().readOfflineDetails(DEVICE);
    expect(details).toBeDefined();
    expect(requests.length).toBeLessThanOrEqual(5);
  });
});

describe('bodies', () => {
  it('a 400 MB answer is cut off past 1 MiB: ResponseTooLarge (fail class, no retry), memory bounded', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 400 * 1024 * 1024) {
          sent += chunk.length;
          bytesWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Infinity));
      res.write('{"OnlineStatus":');
      pump();
    };
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const error = (await client()
      .querySession(DEVICE)
      .catch((e: unknown) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error).toMatchObject({ code: 'ResponseTooLarge', retryable: false, attempts: 1 });
    expect(requests).toHaveLength(1);
    // The server could write little more than the cap (plus what sockets buffer) before it was cut off.
    expect(bytesWritten).toBeLessThan(32 * MAX_RESPONSE_BYTES);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('a declared length over the cap is refused before reading', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(500 * 1024 * 1024) });
      res.write('{');
    };
    await expect(client().querySession(DEVICE)).rejects.toMatchObject({ code: 'ResponseTooLarge', retryable: false });
    expect(requests).toHaveLength(1);
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"online"'],
    ['an array', '[true]'],
    ['an object without the field', '{"RequestId":"r"}'],
  ])('a JSON body that is %s: InvalidResponse, fail class, one request, attempts 1', async (_what, body) => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    const error = (await client()
      .querySession(DEVICE)
      .catch((e: unknown) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'InvalidResponse', retryable: false, attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it('a truncated body (the connection ends early): a retry-class error, as many requests as attempts', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"OnlineStatus":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const error = (await client()
      .querySession(DEVICE)
      .catch((e: unknown) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error.retryable).toBe(true);
    expect(requests).toHaveLength(3);
  });

  it('a trickling body (one byte every 100 ms, never done within the timeout): RequestTimeout per attempt, bounded', async () => {
    const timers = new Set<NodeJS.Timeout>();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 100);
      timers.add(drip);
      res.on('close', () => clearInterval(drip));
    };
    try {
      const error = (await client({ timeoutMs: 600, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } })
        .querySession(DEVICE)
        .catch((e: unknown) => e)) as OnsMqttError;
      expect(error).toMatchObject({ code: 'RequestTimeout', retryable: true });
      expect(requests).toHaveLength(2);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });
});
