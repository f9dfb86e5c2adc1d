/**
 * The per-call cost baseline: Node's http module and a dozen lines of crypto signing one
 * ACS3-HMAC-SHA256 request, written only for the benchmark (no retries, no validation).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true });
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function baselineQuery(
  endpoint: string,
  ak: string,
  secret: string,
  params: Record<string, string>,
): Promise<boolean> {
  const url = new URL(endpoint);
  const query = Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k])}`)
    .join('&');
  const headers: Record<string, string> = {
    host: url.host,
    'x-acs-action': 'QuerySessionByClientId',
    'x-acs-version': '2020-04-20',
    'x-acs-date': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256(''),
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    query,
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const signature = createHmac('sha256', secret)
    .update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`)
    .digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${ak},SignedHeaders=${names.join(';')},Signature=${signature}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `/?${query}`, method: 'POST', headers, agent },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve((JSON.parse(body) as { OnlineStatus: boolean }).OnlineStatus));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
