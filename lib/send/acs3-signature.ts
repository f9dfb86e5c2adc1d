/**
 * Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256) on `node:crypto` alone: what a host
 * that sends through its own HTTP helper (n8n's credential `authenticate`, as n8n's AWS credential
 * signs) needs, with nothing but `crypto` imported. The emulator checks it with its own,
 * separate implementation (emulator/signature.ts).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export interface Acs3Request {
  method: 'GET' | 'POST';
  /** The endpoint's host (and port when not the default). */
  host: string;
  /** `/` for the RPC-style APIs. */
  path?: string;
  action: string;
  version: string;
  /** The API's parameters, sent in the query string. */
  query: Readonly<Record<string, string>>;
  body?: string;
  contentType?: string;
}

export interface Acs3Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** RFC 3986 percent-encoding as Alibaba uses it: encodeURIComponent plus ! ' ( ) *. */
export function acsPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string of a request, in the canonical order the signature covers. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${acsPercentEncode(key)}=${acsPercentEncode(query[key])}`)
    .join('&');
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * The headers that sign `request`: host, the `x-acs-*` headers (date, nonce, body hash, the STS
 * token when there is one) and `Authorization`. `now` and `nonce` are parameters so that a test can
 * compare two signers on the same request.
 */
export function signAcs3(
  request: Acs3Request,
  credentials: Acs3Credentials,
  at: { now?: Date; nonce?: string } = {},
): Record<string, string> {
  const body = request.body ?? '';
  const headers: Record<string, string> = {
    host: request.host,
    'x-acs-action': request.action,
    'x-acs-version': request.version,
    'x-acs-date': (at.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': at.nonce ?? randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
    ...(request.contentType ? { 'content-type': request.contentType } : {}),
    // With a token, the SDK names the temporary AccessKey in a signed header too.
    ...(credentials.securityToken
      ? { 'x-acs-accesskey-id': credentials.accessKeyId, 'x-acs-security-token': credentials.securityToken }
      : {}),
  };
  const signed = Object.keys(headers).sort();
  const canonicalRequest = [
    request.method,
    request.path ?? '/',
    canonicalQuery(request.query),
    signed.map((name) => `${name}:${headers[name].trim()}\n`).join(''),
    signed.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', credentials.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `ACS3-HMAC-SHA256 Credential=${credentials.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`,
  };
}
