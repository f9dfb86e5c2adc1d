/**
 * Alibaba Cloud ApsaraMQ for MQTT device-session checks: the host-agnostic core shared by the
 * n8n and Node-RED nodes, usable directly from an n8n Code node or a Node-RED function node.
 */
export { OnsMqttClient, isSessionFailure, BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './client';
export type { OnsMqttClientOptions, SessionStatus, SessionQueryFailure, SessionQueryOutcome, QueryMode, CallOptions, StatusCallOptions } from './client';
export { detailsFromTrace, disconnectCodeOf, traceTimeToIso, parseUtcOffset, DETAILS_WINDOW_MS, DEFAULT_TRACE_TIME_ZONE } from './offline-details';
export type { OfflineDetails, OfflineDetailsOptions, DisconnectCode } from './offline-details';
export type { ConnectionEvent } from './trace';
export { OnsMqttError, isOnsMqttError, invalidInput, asOnsMqttError } from './errors';
export { displayValue } from './validation';
export { ownValue, setOwn } from './own-keys';
export { ERROR_TABLE, classifyError } from './error-table';
export type { ErrorClass, ErrorRule, Classification } from './error-table';
export { DEFAULT_RETRY, backoffDelay, backoffCeiling, decideRetry } from './retry';
export type { RetryOptions } from './retry';
export { API_RATE_LIMITS } from './rate-limiter';
export { resolveEndpoint, DOCUMENTED_REGIONS, DEFAULT_REGION, NETWORKS } from './endpoints';
export type { Network, ResolvedEndpoint } from './endpoints';
export { checkCredentials } from './credential-check';
export type { CredentialCheckResult } from './credential-check';
export { statusFields, errorFields, routeOf, describeError, errorHeadline, errorAdvice } from './output';
export type { Route, StatusFields, StatusWithDetails, ErrorFields } from './output';
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
} from './watch';
export type {
  WatchOptions,
  WatchState,
  WatchEvent,
  DeviceWatchState,
  Observation,
  TransitionResult,
  StormOptions,
  IncidentState,
  IncidentEvent,
  IncidentResolvedEvent,
  IncidentNotice,
} from './watch';
export { checkFleet } from './fleet-watch';
export type { FleetCheckResult, FleetSummary, FleetCheckContext } from './fleet-watch';
export { FleetWatcher } from './fleet-watcher';
export { reconcileAfterRestart } from './restart-reconcile';
export type { ReconcileReport } from './restart-reconcile';
export type { FleetWatcherOptions, SavedWatch, WatchStore, WatchRequest, WatchCheckResult } from './fleet-watcher';
export {
  validateCredentialSpec,
  credentialSource,
  resetCredentialSessions,
  systemCredentialsAllowed,
  ALLOW_SYSTEM_CREDENTIALS_VARIABLE,
  CREDENTIAL_TYPES,
  credentialFromFields,
} from './credentials';
export type { CredentialSpec, CredentialType, CredentialSource } from './credentials';
export { ACCOUNT_RATE_LIMITS } from './rate-limiter';
export {
  sharedLimitFromEnvironment,
  queueModeNotice,
  closeSharedTokenStores,
  SHARED_LIMIT_VARIABLE,
  EGRESS_ID_VARIABLE,
  ACCOUNT_ID_VARIABLE,
} from './shared-limit';
export type { SharedLimitOptions } from './shared-limit';
export { mqttConnectOptions, hmacSha1Base64, MQTT_AUTH_MODES, MAX_WAIT_MS, MAX_TOKEN_RESOURCES } from './provisioning';
export type {
  DeviceCredential,
  DeviceRef,
  MqttAuthMode,
  MqttConnectOptions,
  MqttConnectOptionsInput,
  TokenActions,
  ApplyTokenInput,
  WaitUntilOnlineInput,
  WaitUntilOnlineResult,
} from './provisioning';
export { proxyFromFields, PROXY_LOOPBACK_VARIABLE } from './proxy/settings';
export type { ProxyOption } from './proxy/settings';
