import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Receives what flows report (POSTed JSON) on 127.0.0.1, for assertions from the test. */
export interface Report {
  port: string;
  msg: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** When it arrived (epoch ms), for the latency figures the push tests print. */
  at: number;
}

export async function startCollector() {
  const reports: Report[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        reports.push({ port: decodeURIComponent((req.url ?? '/').slice(1)), msg: JSON.parse(body), at: Date.now() });
      } catch {
        reports.push({ port: 'unparsable', msg: { body }, at: Date.now() });
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    reports,
    on: (port: string) => reports.filter((r) => r.port === port).map((r) => r.msg),
    clear: () => (reports.length = 0),
    async waitFor(check: () => boolean, timeoutMs = 15_000, what = 'reports') {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline)
          throw new Error(`Timed out waiting for ${what}; got ${JSON.stringify(reports.map((r) => r.port))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Two nodes that POST the whole message to the collector under `port`. */
export function reporter(id: string, z: string, collectorUrl: string, port: string, x = 700, y = 100) {
  return [
    {
      id,
      type: 'function',
      z,
      name: `report ${port}`,
      func: 'const copy = Object.assign({}, msg); delete copy.req; delete copy.res;\nreturn { payload: copy, headers: { "content-type": "application/json" } };',
      outputs: 1,
      x,
      y,
      wires: [[`${id}-post`]],
    },
    {
      id: `${id}-post`,
      type: 'http request',
      z,
      name: '',
      method: 'POST',
      ret: 'txt',
      paytoqs: 'ignore',
      url: `${collectorUrl}/${encodeURIComponent(port)}`,
      tls: '',
      persist: false,
      proxy: '',
      insecureHTTPParser: false,
      authType: '',
      senderr: false,
      headers: [],
      x: x + 200,
      y,
      wires: [[]],
    },
  ];
}
