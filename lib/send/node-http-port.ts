/**
 * Node's http and https as an `HttpPort` (./http-transport.ts): the raw leg of the transport
 * comparison (test/integration/request-identity.test.ts, bench/suites/transports.ts), the core's
 * own signing over the plainest HTTP there is. Node only.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpPort } from './http-transport';

export const nodeHttpPort: HttpPort = (req) =>
  new Promise((resolve, reject) => {
    const send = req.url.startsWith('https:') ? httpsRequest : httpRequest;
    const sent = send(
      req.url,
      { method: req.method, headers: req.headers, timeout: req.timeoutMs, signal: req.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    sent.on('timeout', () => sent.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    sent.on('error', reject);
    sent.end(req.body);
  });
