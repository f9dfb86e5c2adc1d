/**
 * The hosts' entry to the core: the public API (lib/index.ts) and what the n8n and Node-RED nodes
 * share beyond it (lib/host, the mapping from their settings, the watch model's parts, the rate
 * tables). Not part of the package's API: the package.json `exports` map keeps it private, and it
 * may change in any release. The nodes, the tests and the benchmarks import from here.
 */
export * from './index';
export { BATCH_SIZE } from './actions/sessions';
export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './client/options';
export {
  detailsFromTrace,
  disconnectCodeOf,
  traceTimeToIso,
  parseUtcOffset,
  DETAILS_WINDOW_MS,
  DEFAULT_TRACE_TIME_ZONE,
} from './actions/offline-details';
export type { OfflineDetailsOptions } from './base/results';
export { invalidInput, asOnsMqttError } from './base/errors';
export { displayValue } from './base/validation';
export { environment, type Environment } from './base/environment';
export { later, every, soon } from './base/clock';
export { allowManyListeners } from './base/node-signals';
export { ownValue, setOwn } from './base/own-keys';
export { classifyError } from './base/error-table';
export type { Classification } from './base/error-table';
export { DEFAULT_RETRY, backoffDelay, backoffCeiling, decideRetry } from './send/retry';
export { API_RATE_LIMITS } from './send/rate-limiter';
export { resolveEndpoint, DOCUMENTED_REGIONS, DEFAULT_REGION, NETWORKS } from './send/endpoints';
export type { Network, ResolvedEndpoint } from './send/endpoints';
export { checkCredentials } from './host/credential-check';
export type { CredentialCheckResult } from './host/credential-check';
export { statusFields, errorFields, routeOf, describeError, errorHeadline, errorAdvice } from './host/output';
export type { Route, StatusFields, StatusWithDetails, ErrorFields } from './host/output';
export {
  transition,
  observationsOf,
  summarize,
  parseClientIdList,
  emptyWatchState,
  isStorm,
  DEFAULT_WATCH_OPTIONS,
  DEFAULT_RESOLVE_PERCENT,
  DEFAULT_INCIDENT_FOLD_MS,
  DEFAULT_INCIDENT_MAX_AGE_MS,
} from './watch/transition';
export type {
  DeviceWatchState,
  Observation,
  TransitionResult,
  IncidentState,
  IncidentNotice,
} from './watch/transition';
export * from './watch/flapping';
export * from './watch/history';
export * from './watch/availability';
export * from './watch/budgets';
export * from './watch/alarms';
export * from './watch/report';
export { reportSvg, svgText } from './watch/report-svg';
export * from './watch/trace-report';
export type { DeviceHealth, FlappingEvent, HealthNotice } from './watch/transition';
export { checkFleet } from './watch/fleet-check';
export type { FleetCheckResult, FleetCheckContext } from './watch/fleet-check';
export { reconcileAfterRestart } from './watch/restart-reconcile';
export type { ReconcileReport } from './watch/restart-reconcile';
export {
  validateCredentialSpec,
  credentialSource,
  resetCredentialSessions,
  systemCredentialsAllowed,
  ALLOW_SYSTEM_CREDENTIALS_VARIABLE,
  CREDENTIAL_TYPES,
} from './credentials';
export { credentialFromFields } from './host/credential-fields';
export type { CredentialSource } from './credentials';
export { ACCOUNT_RATE_LIMITS } from './send/rate-limiter';
export {
  sharedLimitFromEnvironment,
  queueModeNotice,
  SHARED_LIMIT_VARIABLE,
  EGRESS_ID_VARIABLE,
  ACCOUNT_ID_VARIABLE,
} from './shared-limit';
export { hmacSha1Base64, MQTT_AUTH_MODES, MAX_WAIT_MS, MAX_TOKEN_RESOURCES } from './actions/provisioning';
export { proxyFromFields, PROXY_LOOPBACK_VARIABLE } from './proxy/settings';

// Push presence: the service's status notifications (the Cloud SDK's AMQP endpoint).
export { PushPresence } from './push/presence';
export type { PresenceChange } from './push/presence';
export { parseStatusEvent } from './push/status-event';
export type { MalformedKind } from './push/status-event';
export { cloudSdkUsername, cloudSdkPassword, cloudSdkHost } from './push/login';
export { deviceMessageOf } from './push/device-message';

// What both hosts share (lib/host).
export * from './host/credential-check';
export * from './host/credential-fields';
export * from './host/leadership';
export * from './host/mapping';
export * from './host/message-trace';
export * from './host/operations';
export * from './host/output';
export * from './host/push';
export * from './host/session-batcher';
export { API_TABLE, API_NAMES } from './base/api-table';
export type { ApiName, ApiDeclaration, ApiLimit } from './base/api-table';
export { sourceName, sourceKey, ownLimit, TokenBucket, LocalTokenStore } from './send/rate-limiter';
export type { LimitedKey, TokenStore } from './send/rate-limiter';
export { OPTION_BOUNDS } from './client/options';
export { MIN_DURATION_SECONDS, MAX_DURATION_SECONDS } from './credentials/spec';
export { MAX_TRACE_LIMIT } from './actions/trace';
export { MAX_TOKEN_LIFETIME_MS, MIN_TOKEN_LIFETIME_MS } from './actions/tokens';
