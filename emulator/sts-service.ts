/**
 * A stand-in for Alibaba Cloud STS (2015-04-01): AssumeRole (signed with a base AccessKey, or a
 * temporary one with its token) and AssumeRoleWithOIDC (the OIDC token is the proof), over HTTPS
 * as the real one, since `@alicloud/credentials` always builds https://{stsEndpoint}. The
 * temporary credentials come from the emulator's own STS authority, so the OnsMqtt API accepts
 * them until they expire and then answers InvalidSecurityToken.Expired.
 *
 * The certificate is signed by the emulator's test CA (emulator/tls/ca.pem): a process that should
 * trust it starts with NODE_EXTRA_CA_CERTS pointing there.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { AccessKey } from './api';
import { readV3Signature, safeEqual, v1Signature, v1StringToSign, type V3Signed } from './signature';
import type { StsAuthority } from './sts';

export interface StsRole {
  /** acs:ram::<account>:role/<name> */
  arn: string;
  /** Base AccessKey IDs the role trusts (AssumeRole); default: every configured key. */
  trustedAccessKeyIds?: string[];
  /** For AssumeRoleWithOIDC: the provider it trusts and the tokens that provider has issued. */
  oidcProviderArn?: string;
  oidcTokens?: string[];
  /** The role's maximum session duration in seconds (default 3600, at most 43 200). */
  maxSessionSeconds?: number;
}

export interface StsServiceOptions {
  roles: StsRole[];
  /** Default 0 (any free port). */
  port?: number;
  /** Accept connections only from these addresses (see EmulatorOptions.acceptFrom). */
  acceptFrom?: string[];
}

export interface StsLogEntry {
  at: number;
  action: string;
  roleArn: string;
  /** The base AccessKey that signed (AssumeRole); never a secret. */
  accessKeyId?: string;
  sessionName?: string;
  durationSeconds?: number;
  /** Error code, or undefined when credentials were issued. */
  code?: string;
}

export interface RunningSts {
  /** host:port, what `stsEndpoint` takes. */
  endpoint: string;
  /** The CA that signed the certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  log(): readonly StsLogEntry[];
  clearLog(): void;
  /** Issued tokens live this long instead of DurationSeconds (tests cross expiries in seconds); undefined: as asked. */
  setTokenLifetime(ms: number | undefined): void;
  /** 'down': every connection is dropped unanswered; 'throttled': Throttling.User; 'up': normal. */
  setAvailability(mode: 'up' | 'down' | 'throttled'): void;
  /** Every answer waits this long (a slow STS); 0 by default. */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export const TLS_DIR = join(__dirname, 'tls');
export const TEST_CA_FILE = join(TLS_DIR, 'ca.pem');

/** The account the emulated STS answers for (GetCallerIdentity). */
const EMULATED_ACCOUNT_ID = '1234567890123456';

const ERRORS: Record<string, { status: number; message: string }> = {
  NoPermission: { status: 403, message: 'You are not authorized to do this action. You should be authorized by RAM.' },
  'EntityNotExist.Role': { status: 404, message: 'The role not exists.' },
  'InvalidParameter.RoleSessionName': { status: 400, message: 'The parameter RoleSessionName is wrongly formed.' },
  'InvalidParameter.DurationSeconds': {
    status: 400,
    message: 'The Min/Max value of DurationSeconds is 15min/the max session duration of the role.',
  },
  'InvalidParameter.RoleArn': { status: 400, message: 'The parameter RoleArn is wrongly formed.' },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to Aliyun standards.' },
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation.' },
  'InvalidSecurityToken.Expired': { status: 400, message: 'Specified SecurityToken is expired.' },
  'InvalidSecurityToken.Malformed': { status: 400, message: 'Specified SecurityToken is malformed.' },
  'AuthenticationFail.OIDCToken.Invalid': { status: 400, message: 'The OIDC token is invalid.' },
  'AuthenticationFail.NoPermission': { status: 403, message: 'The OIDC provider is not trusted by the role.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  MissingParameter: { status: 400, message: 'A required parameter is missing.' },
  'InvalidAction.NotFound': { status: 404, message: 'Specified api is not found, please check your url and method.' },
};

class StsError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** The headers a V3 request to STS must sign (as the API's). */
const V3_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

export async function startStsService(
  options: StsServiceOptions,
  authority: StsAuthority,
  accessKeys: ReadonlyMap<string, AccessKey>,
  now: () => number,
): Promise<RunningSts> {
  const roles = new Map(options.roles.map((r) => [r.arn, r]));
  const log: StsLogEntry[] = [];
  let availability: 'up' | 'down' | 'throttled' = 'up';
  let latencyMs = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer(
    { key: readFileSync(join(TLS_DIR, 'server-key.pem')), cert: readFileSync(join(TLS_DIR, 'server.pem')) },
    (req, res) => {
      if (availability === 'down') {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void setTimeout(respond, latencyMs));
      const respond = () => {
        const url = new URL(req.url ?? '/', 'https://sts');
        const pairs: Array<[string, string]> = [...url.searchParams];
        if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          pairs.push(...new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        }
        const params = new Map(pairs);
        // The official STS SDK signs with V3 by default (action, key and signature in headers); V1
        // (the Signature parameter) is what @alicloud/credentials sends. Both are answered.
        const v3 = String(req.headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256')
          ? readV3Signature(
              {
                method: req.method ?? 'GET',
                path: url.pathname,
                query: [...url.searchParams],
                headers: req.headers,
                body: Buffer.concat(chunks),
              },
              V3_SIGNED_HEADERS,
            )
          : undefined;
        const action = v3 ? String(req.headers['x-acs-action'] ?? '') : (params.get('Action') ?? '');
        if (v3 && typeof v3 !== 'string') {
          params.set('AccessKeyId', v3.accessKeyId);
          if (req.headers['x-acs-security-token'] !== undefined)
            params.set('SecurityToken', String(req.headers['x-acs-security-token']));
        }
        const entry: StsLogEntry = {
          at: now(),
          action,
          roleArn: params.get('RoleArn') ?? '',
          sessionName: params.get('RoleSessionName'),
        };
        const requestId = randomUUID().toUpperCase();
        try {
          if (availability === 'throttled') throw new StsError('Throttling.User');
          if (typeof v3 === 'string') throw new StsError('IncompleteSignature');
          const body = answer(req.method ?? 'GET', action, params, pairs, entry, v3);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ RequestId: requestId, ...body }));
        } catch (error) {
          const code = error instanceof StsError ? error.code : 'InternalError';
          entry.code = code;
          const known = ERRORS[code] ?? { status: 500, message: 'Internal error.' };
          res
            .writeHead(known.status, { 'content-type': 'application/json' })
            .end(
              JSON.stringify({ RequestId: requestId, HostId: 'sts.aliyuncs.com', Code: code, Message: known.message }),
            );
        } finally {
          log.push(entry);
        }
      };
    },
  );
  server.on('connection', (s: Socket) => {
    const from = (s.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (options.acceptFrom && !options.acceptFrom.includes(from)) return void s.destroy();
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  /**
   * Checks who signed a request (an AccessKey of the account, or temporary credentials this STS
   * issued, with their token) and that the signature matches; returns the AccessKey ID.
   */
  function verifySigner(
    method: string,
    params: Map<string, string>,
    pairs: Array<[string, string]>,
    entry: StsLogEntry,
    v3: V3Signed | undefined,
  ): { accessKeyId: string; temporary: boolean } {
    const accessKeyId = params.get('AccessKeyId') ?? '';
    entry.accessKeyId = accessKeyId;
    const temporary = accessKeyId.startsWith('STS.');
    const secret = temporary ? authority.keys.get(accessKeyId) : accessKeys.get(accessKeyId)?.accessKeySecret;
    if (secret === undefined) throw new StsError('InvalidAccessKeyId.NotFound');
    if (temporary) {
      const check = authority.check(params.get('SecurityToken') ?? '', accessKeyId, now());
      if (!check.ok) throw new StsError(check.code);
    }
    const signed = v3
      ? v3.matches(secret)
      : safeEqual(v1Signature(secret, v1StringToSign(method, pairs)), params.get('Signature') ?? '');
    if (!signed) throw new StsError('SignatureDoesNotMatch');
    return { accessKeyId, temporary };
  }

  /** GetCallerIdentity: who signed. */
  function callerIdentity(signer: { accessKeyId: string; temporary: boolean }): Record<string, unknown> {
    return {
      AccountId: EMULATED_ACCOUNT_ID,
      IdentityType: signer.temporary ? 'AssumedRoleUser' : 'RAMUser',
      Arn: signer.temporary
        ? `acs:ram::${EMULATED_ACCOUNT_ID}:assumed-role/emulated`
        : `acs:ram::${EMULATED_ACCOUNT_ID}:user/emulated`,
      PrincipalId: signer.accessKeyId,
    };
  }

  function answer(
    method: string,
    action: string,
    params: Map<string, string>,
    pairs: Array<[string, string]>,
    entry: StsLogEntry,
    v3: V3Signed | undefined,
  ): Record<string, unknown> {
    if (action === 'GetCallerIdentity') return callerIdentity(verifySigner(method, params, pairs, entry, v3));
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithOIDC') throw new StsError('InvalidAction.NotFound');
    const roleArn = params.get('RoleArn');
    if (!roleArn) throw new StsError('MissingParameter');
    if (!/^acs:ram::\d+:role\/[\w.@+=,-]+$/i.test(roleArn)) throw new StsError('InvalidParameter.RoleArn');
    if (action === 'AssumeRole') verifySigner(method, params, pairs, entry, v3);
    const role = roles.get(roleArn);
    if (!role) throw new StsError('EntityNotExist.Role');
    if (action === 'AssumeRole') {
      if (role.trustedAccessKeyIds && !role.trustedAccessKeyIds.includes(entry.accessKeyId ?? ''))
        throw new StsError('NoPermission');
    } else {
      if (!role.oidcProviderArn || role.oidcProviderArn !== params.get('OIDCProviderArn'))
        throw new StsError('AuthenticationFail.NoPermission');
      if (!(role.oidcTokens ?? []).includes(params.get('OIDCToken') ?? ''))
        throw new StsError('AuthenticationFail.OIDCToken.Invalid');
    }
    const sessionName = params.get('RoleSessionName') ?? '';
    if (!/^[\w.@-]{2,64}$/.test(sessionName)) throw new StsError('InvalidParameter.RoleSessionName');
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    entry.durationSeconds = duration;
    if (!Number.isInteger(duration) || duration < 900 || duration > Math.min(43_200, role.maxSessionSeconds ?? 3600)) {
      throw new StsError('InvalidParameter.DurationSeconds');
    }
    const issued = authority.issue(authority.lifetimeMs ?? duration * 1000, now());
    return {
      AssumedRoleUser: {
        Arn: `${roleArn}/${sessionName}`,
        AssumedRoleId: `3${String(Math.abs(hash(roleArn))).padStart(17, '0')}:${sessionName}`,
      },
      Credentials: {
        AccessKeyId: issued.accessKeyId,
        AccessKeySecret: issued.accessKeySecret,
        SecurityToken: issued.securityToken,
        Expiration: issued.expiration,
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    caFile: TEST_CA_FILE,
    log: () => log,
    clearLog: () => void (log.length = 0),
    setTokenLifetime: (ms) => void (authority.lifetimeMs = ms),
    setAvailability: (mode) => void (availability = mode),
    setLatency: (ms) => void (latencyMs = ms),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}
