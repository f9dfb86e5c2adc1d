/**
 * The bounds the Node-RED editor checks, from the constants the runtime checks against: the build
 * writes them into the shared editor script (resources/alicloud-mqtt-editor.js, from
 * nodes/node-red/editor/alicloud-mqtt-editor.js), so a dialog never accepts what the runtime
 * refuses, nor refuses what it accepts.
 */
import {
  HOST_TRACE_LIMIT,
  MAX_DURATION_SECONDS,
  MAX_TOKEN_LIFETIME_MS,
  MAX_TRACE_LIMIT,
  MIN_DURATION_SECONDS,
  OPTION_BOUNDS,
} from '../../lib/internal';
import { MAX_WAIT_SECONDS } from './handlers/wait';
import { MIN_INTERVAL_SECONDS } from './handlers/watch';

/** min / max inclusive; `above`: greater than; `integer`; `zero`: 0 is allowed too (off). */
export interface EditorLimit {
  min?: number;
  max?: number;
  above?: number;
  integer?: boolean;
  zero?: boolean;
}

export const EDITOR_LIMITS: Readonly<Record<string, EditorLimit>> = Object.freeze({
  timeout: { ...OPTION_BOUNDS.timeoutMs, integer: true },
  maxAttempts: { ...OPTION_BOUNDS.maxAttempts, integer: true },
  maxRequestsPerSecond: { ...OPTION_BOUNDS.maxRequestsPerSecond },
  concurrency: { ...OPTION_BOUNDS.concurrency, integer: true },
  durationSeconds: { min: MIN_DURATION_SECONDS, max: MAX_DURATION_SECONDS, integer: true },
  traceLimit: { min: 1, max: MAX_TRACE_LIMIT, integer: true },
  traceMinutes: { above: 0 },
  waitSeconds: { above: 0, max: MAX_WAIT_SECONDS },
  // The same bounds as n8n's Check Interval (Wait Until Online).
  intervalSeconds: { min: 0.5, max: 300 },
  validMinutes: { min: 1, max: MAX_TOKEN_LIFETIME_MS / 60_000, integer: true },
  watchInterval: { min: MIN_INTERVAL_SECONDS, zero: true },
  minutes: { min: 0 },
  devices: { min: 0, integer: true },
  percent: { min: 0, max: 100 },
  resolvePercent: { min: 1, max: 100 },
});

/** Defaults the editor shows where the runtime applies them. */
export const EDITOR_DEFAULTS = Object.freeze({ traceLimit: HOST_TRACE_LIMIT });
