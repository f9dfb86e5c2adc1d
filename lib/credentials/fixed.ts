/** A fixed AccessKey, or a pasted STS token: nothing to fetch, nothing to renew, on every runtime. */
import type { TemporaryCredentials } from './session';
import type { CredentialSource } from './sources';
import type { CredentialSpec } from './spec';

export type FixedSpec = Extract<CredentialSpec, { type: 'access_key' | 'sts' }>;

/** `secrets`: what to scrub from any text; by default the spec's own secret (and token). */
export function fixedCredentialSource(spec: FixedSpec, secrets?: () => string[]): CredentialSource {
  const fixed: TemporaryCredentials = {
    accessKeyId: spec.accessKeyId,
    accessKeySecret: spec.accessKeySecret,
    ...(spec.type === 'sts' ? { securityToken: spec.securityToken } : {}),
  };
  const own = [spec.accessKeySecret, spec.type === 'sts' ? spec.securityToken : ''].filter((s) => s !== '');
  return {
    type: spec.type,
    refreshes: false,
    identity: spec.accessKeyId,
    get: () => Promise.resolve(fixed),
    expire: () => undefined,
    secrets: secrets ?? (() => own),
  };
}
