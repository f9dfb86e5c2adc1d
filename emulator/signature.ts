/**
 * The emulator's own implementation of Alibaba Cloud's request signatures (not the SDK's), so
 * that tests prove the SDK's requests would be accepted by the real gateway's rules. Checked
 * against the worked examples Alibaba publishes (see test/unit/emulator-signature.test.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding as Alibaba uses it: encodeURIComponent plus ! ' ( ) *. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export type Params = Array<[string, string]>;

function compareKeys(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

// ---- V3: ACS3-HMAC-SHA256 -------------------------------------------------------------------

export interface V3Request {
  method: string;
  path: string;
  query: Params;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  signedHeaders: string[];
  body: Buffer;
}

export function v3CanonicalRequest(req: V3Request, hashedPayload = sha256Hex(req.body)): string {
  const canonicalQuery = [...req.query]
    .sort(compareKeys)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const names = [...req.signedHeaders].sort();
  const canonicalHeaders = names.map((n) => `${n}:${(req.headers[n] ?? '').trim()}\n`).join('');
  return [
    req.method.toUpperCase(),
    req.path || '/',
    canonicalQuery,
    canonicalHeaders,
    names.join(';'),
    hashedPayload,
  ].join('\n');
}

export function v3StringToSign(canonicalRequest: string): string {
  return `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
}

export function v3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export interface V3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseV3Authorization(header: string): V3Authorization | undefined {
  const m = /^ACS3-HMAC-SHA256\s+Credential=([^,\s]*),\s*SignedHeaders=([^,\s]*),\s*Signature=([0-9a-fA-F]*)$/.exec(
    header.trim(),
  );
  if (!m) return undefined;
  return {
    accessKeyId: m[1],
    signedHeaders: m[2]
      .split(';')
      .filter(Boolean)
      .map((h) => h.toLowerCase()),
    signature: m[3].toLowerCase(),
  };
}

// ---- V1: HMAC-SHA1 (RPC, parameters signed) --------------------------------------------------

export function v1StringToSign(method: string, params: Params): string {
  const canonical = params
    .filter(([k]) => k !== 'Signature')
    .sort(compareKeys)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A request signed with ACS3-HMAC-SHA256, as the API and STS both check it. */
export interface V3Signed {
  accessKeyId: string;
  /** Whether the signature is the one `secret` gives. */
  readonly matches: (secret: string) => boolean;
}

/**
 * Checks the form of a V3-signed request (the Authorization header, the headers it must sign, the
 * body's hash) and returns what the signature check needs; a string says what is wrong.
 */
export function readV3Signature(
  request: {
    method: string;
    path: string;
    query: Params;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  },
  requiredHeaders: readonly string[],
): V3Signed | string {
  const header = (name: string): string => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const auth = parseV3Authorization(header('authorization'));
  if (!auth)
    return 'The Authorization header is not of the form "ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...".';
  for (const h of requiredHeaders) {
    if (!auth.signedHeaders.includes(h) || !request.headers[h]) return `The header ${h} must be present and signed.`;
  }
  if (sha256Hex(request.body) !== header('x-acs-content-sha256'))
    return 'x-acs-content-sha256 does not match the request body.';
  const headers: Record<string, string> = {};
  for (const h of auth.signedHeaders) headers[h] = header(h);
  const stringToSign = v3StringToSign(
    v3CanonicalRequest({
      method: request.method,
      path: request.path,
      query: request.query,
      headers,
      signedHeaders: auth.signedHeaders,
      body: request.body,
    }),
  );
  return {
    accessKeyId: auth.accessKeyId,
    matches: (secret) => safeEqual(v3Signature(secret, stringToSign), auth.signature),
  };
}
