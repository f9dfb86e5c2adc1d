/**
 * The one mapping from a host's node settings to the core's options, shared by the n8n and the
 * Node-RED nodes: each host reads its own settings (n8n parameters, a Node-RED node's fields) into
 * the plain values below, and both get the same options, the same defaults and the same bounds.
 */
import { DEFAULT_RESOLVE_PERCENT, type StormOptions, type WatchOptions } from '../watch/transition';
import { flappingOptionsFrom, type FlappingOptions } from '../watch/flapping';
import { SEVERITIES, type AlarmOptions, type Severity } from '../watch/alarms';
import { DEFAULT_BURN_RATE_ALERT, type BudgetOptions, type BudgetTarget } from '../watch/budgets';
import { invalidInput } from '../base/errors';

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
  /** Flapping: on, with thresholds in percent (empty: Nagios's 20 and 5). */
  flapping?: { enabled?: unknown; highPercent?: unknown; lowPercent?: unknown };
  alarms?: AlarmSettings;
  budgets?: BudgetSettings;
}

/** Alarms as a host's settings give them. */
export interface AlarmSettings {
  enabled?: unknown;
  severity?: unknown;
  /** Client IDs or group IDs, one per line or comma-separated. */
  criticalDevices?: unknown;
  majorAfterMinutes?: unknown;
  criticalAfterMinutes?: unknown;
}

/** Error budgets as a host's settings give them. */
export interface BudgetSettings {
  /** "99.5" (every group), or lines "GID_a=99.9" with "*=99.5" for the others. */
  targets?: unknown;
  windowDays?: unknown;
  burnRateAlert?: unknown;
}

/** Fleet health's fields, named alike in both hosts (n8n's *Fleet Health* collection, the watch node's settings). */
export interface HealthFields {
  flapping?: unknown;
  flapHigh?: unknown;
  flapLow?: unknown;
  alarms?: unknown;
  alarmSeverity?: unknown;
  criticalDevices?: unknown;
  majorAfterMinutes?: unknown;
  criticalAfterMinutes?: unknown;
  budgetTargets?: unknown;
  budgetWindowDays?: unknown;
  burnRateAlert?: unknown;
}

/** Those fields as the watch settings' flapping, alarms and budgets. */
export function healthSettingsFrom(f: HealthFields): Pick<WatchSettings, 'flapping' | 'alarms' | 'budgets'> {
  return {
    flapping: { enabled: f.flapping === true, highPercent: f.flapHigh, lowPercent: f.flapLow },
    alarms: {
      enabled: f.alarms === true,
      severity: f.alarmSeverity,
      criticalDevices: f.criticalDevices,
      majorAfterMinutes: f.majorAfterMinutes,
      criticalAfterMinutes: f.criticalAfterMinutes,
    },
    budgets: { targets: f.budgetTargets, windowDays: f.budgetWindowDays, burnRateAlert: f.burnRateAlert },
  };
}

export function flappingFrom(settings: WatchSettings['flapping']): FlappingOptions | undefined {
  return settings && settings.enabled === true ? flappingOptionsFrom(settings) : undefined;
}

function listOf(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\n,]/) : [];
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))];
}

export function alarmOptionsFrom(settings: AlarmSettings | undefined): AlarmOptions | undefined {
  if (!settings || settings.enabled !== true) return undefined;
  const severity = SEVERITIES.includes(settings.severity as Severity) ? (settings.severity as Severity) : 'warning';
  const options: AlarmOptions = { severity };
  const critical = listOf(settings.criticalDevices);
  if (critical.length > 0) options.criticalDevices = critical;
  const major = Math.max(0, numberOf(settings.majorAfterMinutes)) * MINUTE_MS;
  const criticalAfter = Math.max(0, numberOf(settings.criticalAfterMinutes)) * MINUTE_MS;
  if (major > 0) options.majorAfterMs = major;
  if (criticalAfter > 0) options.criticalAfterMs = criticalAfter;
  return options;
}

/**
 * Budget targets from text: "99.5" for every group, or one "group=percent" per line or comma
 * ("GID_a=99.9, *=99.5"). A target must be above 0 and below 100; anything else is refused, naming it.
 */
export function budgetTargetsFrom(value: unknown): BudgetTarget[] {
  const targets: BudgetTarget[] = [];
  for (const entry of listOf(typeof value === 'number' ? String(value) : value)) {
    const at = entry.lastIndexOf('=');
    const group = at >= 0 ? entry.slice(0, at).trim() : '*';
    const percent = Number(at >= 0 ? entry.slice(at + 1).trim() : entry);
    if (group === '' || !Number.isFinite(percent) || percent <= 0 || percent >= 100)
      throw invalidInput(
        'budgetTargets',
        `"${entry}" is not a target: give a percentage such as 99.5 (every group) or GID_group=99.9, one per line.`,
      );
    targets.push({ group, targetPercent: percent });
  }
  return targets;
}

export function budgetOptionsFrom(settings: BudgetSettings | undefined): BudgetOptions | undefined {
  const targets = budgetTargetsFrom(settings?.targets);
  if (targets.length === 0) return undefined;
  const days = numberOf(settings?.windowDays);
  const rate = numberOf(settings?.burnRateAlert);
  return {
    targets,
    windowMs: (days > 0 ? Math.min(days, 31) : 30) * 24 * 60 * MINUTE_MS,
    burnRateAlert: rate > 0 ? rate : DEFAULT_BURN_RATE_ALERT,
  };
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
    ...optional('flapping', flappingFrom(settings.flapping)),
    ...optional('alarms', alarmOptionsFrom(settings.alarms)),
    ...optional('budgets', budgetOptionsFrom(settings.budgets)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
