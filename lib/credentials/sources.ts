/**
 * Where a client's credentials come from, built on Alibaba's own providers (`@alicloud/credentials`,
 * loaded on first use). We use each provider only to fetch (its `refresher`); caching, refreshing
 * and sharing are ours (session.ts), because the library's cache has no single flight (concurrent
 * requests each AssumeRole) and refreshes on every call when a token lives 15 minutes or less.
 */
import { environment, type Environment } from '../base/environment';
import { createHash } from 'node:crypto';
import { OnsMqttError } from '../base/errors';
import { credentialError } from './errors';
import { fixedCredentialSource } from './fixed';
import { RefreshingCredentials, type TemporaryCredentials } from './session';
import {
  ALLOW_SYSTEM_CREDENTIALS_VARIABLE,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_SESSION_NAME,
  isAmbient,
  STS_DEFAULT_ENDPOINT,
  systemCredentialsAllowed,
  type CredentialSpec,
  type CredentialType,
} from './spec';

export interface CredentialSource {
  readonly type: CredentialType;
  /** Whether it fetches temporary credentials that it renews (all but the fixed types). */
  readonly refreshes: boolean;
  /** Who signs, for messages and limits: never a secret, never a temporary AccessKey ID. */
  readonly identity: string;
  get(): Promise<TemporaryCredentials>;
  /** The service answered InvalidSecurityToken.Expired for these: fetch new ones next time. */
  expire(used: { accessKeyId: string }): void;
  /** Secrets known now (base and temporary), to scrub from any text. */
  secrets(): string[];
}

type CredentialsModule = typeof import('@alicloud/credentials');
let library: CredentialsModule | undefined;
function load(): CredentialsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('@alicloud/credentials') as CredentialsModule;
  return library;
}

/** One session per identity and process: every client of the same role shares its token. */
const sessions = new Map<string, RefreshingCredentials>();

/**
 * The library passes "connect" as the socket's idle timeout (httpx), so it bounds the wait for the
 * answer too: 10 s for both, as the read timeout, so that a slow answer is not called a refused one.
 */
const FETCH_TIMEOUTS = { connect: 10_000, read: 10_000 };

function sessionFor(spec: CredentialSpec, fetch: () => Promise<TemporaryCredentials>): RefreshingCredentials {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  let session = sessions.get(key);
  if (!session) {
    session = new RefreshingCredentials(fetch);
    sessions.set(key, session);
  }
  return session;
}

interface LibrarySession {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: string;
}

function fromLibrary(session: LibrarySession): TemporaryCredentials {
  const expiresAt = Date.parse(session.expiration);
  return {
    accessKeyId: session.accessKeyId,
    accessKeySecret: session.accessKeySecret,
    securityToken: session.securityToken,
    // Without a readable expiry, treat the token as short-lived rather than eternal.
    expiresAt: Number.isFinite(expiresAt) ? expiresAt : Date.now() + 15 * 60_000,
  };
}

function refreshing(
  spec: CredentialSpec,
  identity: string,
  where: string,
  baseSecrets: string[],
  refresher: () => Promise<LibrarySession>,
): CredentialSource {
  const fetch = async () => {
    try {
      return fromLibrary(await refresher());
    } catch (caught) {
      throw credentialError(spec.type, caught, where, [...baseSecrets, ...session.secrets()]);
    }
  };
  const session = sessionFor(spec, fetch);
  return {
    type: spec.type,
    refreshes: true,
    identity,
    get: () => session.get(),
    expire: (used) => session.expire(used),
    secrets: () => [...baseSecrets, ...session.secrets()],
  };
}

/** The source a client signs with. Throws OnsMqttError (fail class) when the type is not allowed here. */
export function credentialSource(spec: CredentialSpec, env: Environment = environment()): CredentialSource {
  if (isAmbient(spec.type) && !systemCredentialsAllowed(env)) {
    throw new OnsMqttError({
      code: 'SystemCredentialsDisabled',
      message: `Credential type "${spec.type}" uses this machine's own identity, which is off unless the administrator sets ${ALLOW_SYSTEM_CREDENTIALS_VARIABLE}=true.`,
    });
  }
  const lib = load();
  switch (spec.type) {
    case 'access_key':
    case 'sts':
      return fixedCredentialSource(spec);
    case 'ram_role_arn': {
      const base = spec.securityToken
        ? lib.StaticSTSCredentialsProvider.builder()
            .withAccessKeyId(spec.accessKeyId)
            .withAccessKeySecret(spec.accessKeySecret)
            .withSecurityToken(spec.securityToken)
            .build()
        : lib.StaticAKCredentialsProvider.builder()
            .withAccessKeyId(spec.accessKeyId)
            .withAccessKeySecret(spec.accessKeySecret)
            .build();
      let builder = lib.RAMRoleARNCredentialsProvider.builder()
        .withCredentialsProvider(base)
        .withRoleArn(spec.roleArn)
        .withRoleSessionName(spec.roleSessionName ?? DEFAULT_SESSION_NAME)
        .withDurationSeconds(spec.durationSeconds ?? DEFAULT_DURATION_SECONDS)
        .withStsEndpoint(spec.stsEndpoint ?? STS_DEFAULT_ENDPOINT)
        .withConnectTimeout(FETCH_TIMEOUTS.connect)
        .withReadTimeout(FETCH_TIMEOUTS.read);
      if (spec.policy) builder = builder.withPolicy(spec.policy);
      if (spec.externalId) builder = builder.withExternalId(spec.externalId);
      const provider = builder.build();
      return refreshing(
        spec,
        `${spec.roleArn} (assumed by ${spec.accessKeyId})`,
        `STS at ${spec.stsEndpoint ?? STS_DEFAULT_ENDPOINT}`,
        [spec.accessKeySecret, spec.securityToken ?? ''].filter(Boolean),
        () => provider.refresher(),
      );
    }
    case 'oidc_role_arn': {
      const provider = lib.OIDCRoleArnCredentialsProvider.builder()
        .withRoleArn(spec.roleArn)
        .withOIDCProviderArn(spec.oidcProviderArn)
        .withOIDCTokenFilePath(spec.oidcTokenFilePath)
        .withRoleSessionName(spec.roleSessionName ?? DEFAULT_SESSION_NAME)
        .withStsEndpoint(spec.stsEndpoint ?? STS_DEFAULT_ENDPOINT)
        .withConnectTimeout(FETCH_TIMEOUTS.connect)
        .withReadTimeout(FETCH_TIMEOUTS.read)
        .build();
      return refreshing(spec, `${spec.roleArn} (OIDC)`, `STS at ${spec.stsEndpoint ?? STS_DEFAULT_ENDPOINT}`, [], () =>
        provider.refresher(),
      );
    }
    case 'ecs_ram_role': {
      let builder = lib.ECSRAMRoleCredentialsProvider.builder()
        .withConnectTimeout(1_000)
        .withReadTimeout(FETCH_TIMEOUTS.connect);
      if (spec.roleName) builder = builder.withRoleName(spec.roleName);
      const provider = builder.build();
      return refreshing(
        spec,
        `ECS instance role${spec.roleName ? ` ${spec.roleName}` : ''}`,
        'the ECS metadata service (100.100.100.200)',
        [],
        () => provider.refresher(),
      );
    }
    case 'credentials_uri': {
      const provider = lib.URICredentialsProvider.builder()
        .withCredentialsURI(spec.credentialsUri)
        .withConnectTimeout(FETCH_TIMEOUTS.connect)
        .withReadTimeout(FETCH_TIMEOUTS.read)
        .build();
      const where = `the credentials URI ${safeOrigin(spec.credentialsUri)}`;
      return refreshing(spec, where, where, [], () => provider.refresher());
    }
    case 'default': {
      defaultSource ??= defaultChain(lib);
      return defaultSource;
    }
  }
}

/** One default chain per process (it caches inside the provider it settles on). */
let defaultSource: CredentialSource | undefined;

function defaultChain(lib: CredentialsModule): CredentialSource {
  const provider = lib.DefaultCredentialsProvider.builder().build();
  let inflight: Promise<TemporaryCredentials> | undefined;
  let last: TemporaryCredentials | undefined;
  // The chain renews inside the provider it settles on; ours only keeps one fetch in flight.
  const get = () =>
    (inflight ??= (async () => {
      try {
        const c = await provider.getCredentials();
        last = {
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          securityToken: c.securityToken || undefined,
        };
        return last;
      } catch (caught) {
        throw credentialError(
          'default',
          caught,
          "Alibaba's default credential chain",
          last ? [last.accessKeySecret, last.securityToken ?? ''] : [],
        );
      } finally {
        inflight = undefined;
      }
    })());
  return {
    type: 'default',
    refreshes: true,
    identity: "Alibaba's default credential chain",
    get,
    expire: () => undefined,
    secrets: () => (last ? [last.accessKeySecret, last.securityToken ?? ''].filter(Boolean) : []),
  };
}

/** scheme://host[:port] only: a URI may carry a token in its path or query. */
function safeOrigin(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return '(invalid URI)';
  }
}

/** For tests: forget every shared session (a new process, as far as credentials go). */
export function resetCredentialSessions(): void {
  sessions.clear();
  defaultSource = undefined;
}
