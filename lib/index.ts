/**
 * Alibaba Cloud ApsaraMQ for MQTT device-session checks: what a program needs, in an n8n Code
 * node, a Node-RED function node or a script. The client (status, traces, provisioning, messages),
 * its options, results and errors, and the watchers. Everything else is the package's own and may
 * change in any release (the package.json `exports` map keeps it out of reach).
 */
import { installNodeRuntime } from './client/node-runtime';

// This entry runs on Node: Node's timers, environment and http, Alibaba's SDKs (lib/client/runtime.ts).
installNodeRuntime();

export { OnsMqttClient } from './client/client';
export type { OnsMqttClientOptions } from './client/options';
export type { CredentialSpec, CredentialType } from './credentials';
export { closeSharedTokenStores } from './shared-limit';
export type { SharedLimitOptions } from './shared-limit';
export type { ProxyOption } from './proxy/settings';
export type { RetryOptions } from './send/retry';

// Results.
export { isSessionFailure } from './base/results';
export type {
  SessionStatus,
  SessionQueryFailure,
  SessionQueryOutcome,
  QueryMode,
  CallOptions,
  StatusCallOptions,
  OfflineDetails,
  DisconnectCode,
  ConnectionEvent,
  MessageTraceEvent,
} from './base/results';
export type { TraceQuery, PublishTraceQuery, DeliveryTraceQuery, ClientMessagesQuery } from './actions/trace';
export { mqttConnectOptions } from './actions/provisioning';
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
} from './actions/provisioning';

// Errors: one type, classified by one table.
export { OnsMqttError, isOnsMqttError } from './base/errors';
export { ERROR_TABLE } from './base/error-table';
export type { ErrorClass, ErrorRule } from './base/error-table';

// Watchers: a fleet by polling, by the service's status notifications, or both.
export { FleetWatcher } from './watch/watcher';
export type { FleetWatcherOptions, SavedWatch, WatchStore, WatchRequest, WatchCheckResult } from './watch/watcher';
export type {
  WatchOptions,
  WatchState,
  WatchEvent,
  IncidentEvent,
  IncidentResolvedEvent,
  StormOptions,
} from './watch/transition';
export type { FleetSummary } from './watch/fleet-check';
export type { FlappingEvent, HealthNotice, DeviceHealth } from './watch/transition';

// Fleet health: flapping, availability, error budgets, alarms, the report and its picture.
export type { FlappingOptions } from './watch/flapping';
export type { Alarm, AlarmOptions, AlarmEvent, AlarmCommand, AlarmFilter, AlarmStatus, Severity } from './watch/alarms';
export type { BudgetOptions, BudgetTarget, BudgetEvent, GroupBudget } from './watch/budgets';
export type {
  AvailabilityFigures,
  DeviceAvailability,
  GroupAvailability,
  Segment,
  WindowName,
} from './watch/availability';
export type { AvailabilityReport, DeviceReport, ReportRequest } from './watch/report';
export type { AlarmCommandResult } from './watch/watcher';
export { reportSvg } from './watch/report-svg';
export { reportJson } from './watch/report';
export { traceAvailabilityReport } from './watch/trace-report';
export type { TraceReportInput } from './watch/trace-report';
export { PushWatch } from './watch/push-watch';
export type { PushWatchOptions } from './watch/push-watch';
export { StatusSubscription } from './push/status-subscription';
export type { StatusSubscriptionOptions } from './push/status-subscription';
export type { StatusEvent, StatusEventType } from './push/status-event';
export type { DeviceMessage } from './push/device-message';
