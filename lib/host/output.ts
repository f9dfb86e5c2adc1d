import { isSessionFailure, type OfflineDetails, type SessionQueryOutcome, type SessionStatus } from '../base/results';
import type { OnsMqttError } from '../base/errors';

/**
 * The output fields both hosts emit, so that a flow moved from Node-RED to n8n (or back) finds
 * the same names: results `clientId, instanceId, online, requestId, checkedAt`; errors `code,
 * httpStatus, message, requestId, retryable, attempts` (plus the class and hint).
 */
export type Route = 'online' | 'offline' | 'retry' | 'fail';

export interface StatusFields {
  clientId: string;
  instanceId: string;
  online: boolean;
  requestId: string | null;
  checkedAt: string;
}

export interface ErrorFields {
  code: string;
  httpStatus: number | null;
  message: string;
  requestId: string | null;
  retryable: boolean;
  errorClass: 'retry' | 'fail';
  attempts: number;
  hint: string;
}

/** With the offline details when they were asked for (offline devices only). */
export type StatusWithDetails = StatusFields & Partial<OfflineDetails>;

export function statusFields(status: SessionStatus): StatusWithDetails {
  return {
    clientId: status.clientId,
    instanceId: status.instanceId,
    online: status.online,
    requestId: status.requestId ?? null,
    checkedAt: status.checkedAt,
    ...status.details,
  };
}

export function errorFields(error: OnsMqttError): ErrorFields {
  return {
    code: error.code,
    httpStatus: error.httpStatus ?? null,
    message: error.message,
    requestId: error.requestId ?? null,
    retryable: error.retryable,
    errorClass: error.errorClass,
    attempts: error.attempts,
    hint: error.hint,
  };
}

export function routeOf(outcome: SessionQueryOutcome): Route {
  if (isSessionFailure(outcome)) return outcome.error.retryable ? 'retry' : 'fail';
  return outcome.online ? 'online' : 'offline';
}

/** One line for logs, status texts and thrown messages: code, request id and what to do. */
export function describeError(error: OnsMqttError): string {
  return `${errorHeadline(error)} ${error.hint}`;
}

/** What happened, without the hint: code, message, request id. */
export function errorHeadline(error: OnsMqttError): string {
  const id = error.requestId ? ` (request id ${error.requestId})` : '';
  const message = error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`;
  return `${message.replace(/\.$/, '')}${id}.`;
}

/** What to do, after what was tried: "Gave up after 4 attempts. <hint>". */
export function errorAdvice(error: OnsMqttError): string {
  const tried = error.retryable && error.attempts > 1 ? `Gave up after ${error.attempts} attempts. ` : '';
  return `${tried}${error.hint}`;
}

/**
 * The fields of a device whose status could not be read, in every host: its ids, `online: null`,
 * a readable `error` and the error's fields. (Node-RED keeps its own convention beside it: the
 * error's fields also in `msg.error`, where a Catch node reads them.)
 */
export function failedStatusFields(
  ids: { clientId: unknown; instanceId: unknown },
  error: OnsMqttError,
): Record<string, unknown> & ErrorFields {
  return {
    clientId: ids.clientId,
    instanceId: ids.instanceId,
    online: null,
    error: describeError(error),
    ...errorFields(error),
  };
}
