export {
  validateCredentialSpec,
  isAmbient,
  systemCredentialsAllowed,
  ALLOW_SYSTEM_CREDENTIALS_VARIABLE,
  CREDENTIAL_TYPES,
} from './spec';
export type { CredentialSpec, CredentialType } from './spec';
export { credentialSource, resetCredentialSessions } from './sources';
export type { CredentialSource } from './sources';
export { RefreshingCredentials } from './session';
export type { TemporaryCredentials, CredentialFetcher } from './session';
