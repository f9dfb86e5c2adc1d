/**
 * The verifiable n8n package's entry to the core: everything its nodes and its credential use, and
 * nothing that needs more than `n8n-workflow` and `node:crypto`. Whatever this file reaches is
 * shipped in that package and checked by n8n's scanner (scripts/n8n-scan.mjs): no Node I/O module,
 * no timer or `process` of the runtime, no library (docs/architecture.md, "Ports"). The clock, the
 * HTTP and the environment are the host's (lib/base/clock.ts, lib/client/runtime.ts,
 * lib/base/environment.ts). Not part of the package's API.
 */
export { OnsMqttClient } from './client/client';
export type { OnsMqttClientOptions } from './client/options';
export { installClientRuntime, type ClientRuntime } from './client/runtime';
export { installClock, type Clock } from './base/clock';
export { OnsMqttError, asOnsMqttError, isOnsMqttError } from './base/errors';
export { isSessionFailure } from './base/results';
export type { SessionStatus, QueryMode } from './base/results';
export type { TokenActions } from './actions/provisioning';
export { FleetWatcher } from './watch/watcher';
export type { SavedWatch } from './watch/watcher';
export type { WatchState, WatchOptions } from './watch/transition';
export { parseClientIdList, DEFAULT_RESOLVE_PERCENT } from './watch/transition';
export { alarmCommandFrom } from './watch/alarms';
export type { AlarmCommand, AlarmFilter } from './watch/alarms';
export { reportSvg } from './watch/report-svg';
export { traceAvailabilityReport } from './watch/trace-report';
export { WINDOW_NAMES, reportJson } from './watch/report';
export type { AvailabilityReport, ReportRequest } from './watch/report';

// The send path over a host's HTTP (n8n's helpers), and its signature.
export { createHttpTransport, apiRequest, readAnswer, networkErrorOf } from './send/http-transport';
export type { HttpPort, HttpRequest, HttpAnswer } from './send/http-transport';
export { signAcs3, canonicalQuery } from './send/acs3-signature';
export type { Acs3Credentials } from './send/acs3-signature';
export { API_VERSION } from './send/transport-port';
export type { Transport, TransportConfig } from './send/transport-port';

// Credentials: the fields, the spec, a renewing session, STS's AssumeRole as plain requests.
export { credentialFromFields } from './host/credential-fields';
export { validateCredentialSpec, accountOf, STS_DEFAULT_ENDPOINT } from './credentials/spec';
export type { CredentialSpec } from './credentials/spec';
export type { CredentialSource } from './credentials/sources';
export { RefreshingCredentials } from './credentials/session';
export { fixedCredentialSource } from './credentials/fixed';
export type { TemporaryCredentials } from './credentials/session';
export { assumeRoleRequest, readAssumeRole, stsRequest, STS_API_VERSION } from './send/sts-requests';
export { httpCredentialSource, renewalError, renewalRefused, unsupportedHere } from './send/http-credentials';

// What both hosts share (lib/host).
export { checkCredentials } from './host/credential-check';
export type { CredentialCheckResult } from './host/credential-check';
export * from './host/mapping';
export * from './host/message-trace';
export * from './host/operations';
export * from './host/output';
export * from './host/session-batcher';
