/**
 * The one mapping from a host's node settings to the core's options, shared by the n8n and the
 * Node-RED nodes: each host reads its own settings (n8n parameters, a Node-RED node's fields) into
 * the plain values below, and both get the same options, the same defaults and the same bounds.
 */
import { DEFAULT_RESOLVE_PERCENT, type StormOptions, type WatchOptions } from '../watch/transition';

const MINUTE_MS = 60_000;

/** A number from a host's field (n8n gives numbers, Node-RED strings; empty or invalid counts as 0). */
function numberOf(value: unknown): number {
  const n = typeof value === 'string' && value.trim() === '' ? 0 : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** The storm thresholds as a host's settings give them. */
export interface StormSettings {
  minDevices?: unknown;
  minPercent?: unknown;
  resolvePercent?: unknown;
}

/** Storm protection: off (undefined) while neither threshold is set; percents bounded to 0..100. */
export function stormOptionsFrom(settings: StormSettings): StormOptions | undefined {
  const minDevices = Math.max(0, numberOf(settings.minDevices));
  const minPercent = Math.min(100, Math.max(0, numberOf(settings.minPercent)));
  if (minDevices === 0 && minPercent === 0) return undefined;
  const resolvePercent = Math.min(100, Math.max(1, numberOf(settings.resolvePercent) || DEFAULT_RESOLVE_PERCENT));
  return { minDevices, minPercent, resolvePercent };
}

/** The watch settings as a host's node gives them. */
export interface WatchSettings {
  offline: boolean;
  online: boolean;
  offlineForMinutes?: unknown;
  onlineForMinutes?: unknown;
  reportInitialOffline?: unknown;
  /** Every device of the groups, by push: a device first heard of when it connects came online. */
  reportInitialOnline?: unknown;
  storm: StormSettings;
}

/** The watcher's options from a host's watch settings (the n8n trigger and the Node-RED watch node). */
export function watchOptionsFrom(settings: WatchSettings): WatchOptions {
  return {
    events: { offline: settings.offline, online: settings.online },
    offlineAfterMs: Math.max(0, numberOf(settings.offlineForMinutes)) * MINUTE_MS,
    onlineAfterMs: Math.max(0, numberOf(settings.onlineForMinutes)) * MINUTE_MS,
    reportInitialOffline: settings.reportInitialOffline === true,
    ...(settings.reportInitialOnline === true ? { reportInitialOnline: true } : {}),
    storm: stormOptionsFrom(settings.storm),
  };
}

/**
 * How many connection events a host's trace operation returns unless told otherwise: 50 in both
 * hosts. It is n8n's convention for every *Limit* parameter (its node linter requires 50), and
 * Node-RED follows it so that the same operation gives the same answer; the core's own default
 * (100) is what offline details read.
 */
export const HOST_TRACE_LIMIT = 50;

/** "Return all" still has a ceiling, so that a device flapping all day cannot exhaust memory. */
export const RETURN_ALL_CEILING = 10_000;

/** The trace limit from a host's field: a positive number, else the hosts' default. */
export function traceLimitFrom(value: unknown): number {
  const n = numberOf(value);
  return n > 0 ? n : HOST_TRACE_LIMIT;
}
