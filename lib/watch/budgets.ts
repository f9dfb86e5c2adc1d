/**
 * Error budgets per group: a target (say 99.5 % over 30 days) allows a share of the group's device
 * time to be offline; what the window's outages used of it is gone, the rest is the budget left.
 * The burn rate is how fast the budget is spent now: the offline share of the last hour divided by
 * the allowed share (1: the budget lasts exactly the window; 14.4: 2 % of a 30-day budget in one
 * hour, Google's SRE Workbook, "Alerting on SLOs", the fast-burn page). A burn-rate alert fires once
 * when the rate reaches the threshold, and once when it falls below it again; the saved watch
 * state remembers which groups are alerting, so a restart neither repeats nor loses one.
 */
import type { DeviceHistory } from './history';
import { combined, deviceAvailability, groupOf, type TimeWindow } from './availability';

export interface BudgetTarget {
  /** A group ID (`GID_x`), or `*` for every group without its own target. */
  group: string;
  targetPercent: number;
}

export interface BudgetOptions {
  targets: BudgetTarget[];
  /** The window the target is over (default 30 days). */
  windowMs?: number;
  /** The burn rate is measured over this (default 1 hour). */
  lookbackMs?: number;
  /** The alert fires at or above this burn rate (default 14.4). */
  burnRateAlert?: number;
}

export const DEFAULT_BUDGET_WINDOW_MS = 30 * 24 * 60 * 60_000;
export const DEFAULT_BURN_LOOKBACK_MS = 60 * 60_000;
export const DEFAULT_BURN_RATE_ALERT = 14.4;

export interface GroupBudget {
  group: string;
  targetPercent: number;
  windowMs: number;
  /** Offline device time the target allows over the window, and what was used of it. */
  allowedDownMs: number;
  usedDownMs: number;
  /** Percent of the budget left (negative once overspent); null when nothing is known yet. */
  budgetLeftPercent: number | null;
  /** The offline share of the lookback over the allowed share; null when nothing is known. */
  burnRate: number | null;
  /** At this burn rate, when the budget left is gone (ISO); null when not burning or already gone. */
  exhaustedAt: string | null;
  availabilityPercent: number | null;
}

/** A burn-rate alert and its recovery, once each per crossing. */
export interface BudgetEvent {
  event: 'budget_burn' | 'budget_recovered';
  instanceId: string;
  group: string;
  checkedAt: string;
  /** When the alert started (for `budget_recovered`, how long it lasted follows). */
  since: string;
  burnRate: number | null;
  burnRateAlert: number;
  budget: GroupBudget;
  alertedForMs?: number;
}

/** The target for a group: its own, else the `*` one; undefined when none applies. */
export function targetFor(group: string, targets: readonly BudgetTarget[]): number | undefined {
  return (targets.find((t) => t.group === group) ?? targets.find((t) => t.group === '*'))?.targetPercent;
}

/** Every group's budget now, from the devices' histories. */
export function groupBudgets(
  histories: ReadonlyMap<string, DeviceHistory>,
  options: BudgetOptions,
  nowMs: number,
): GroupBudget[] {
  const windowMs = options.windowMs ?? DEFAULT_BUDGET_WINDOW_MS;
  const lookbackMs = options.lookbackMs ?? DEFAULT_BURN_LOOKBACK_MS;
  const byGroup = new Map<string, string[]>();
  for (const id of histories.keys()) {
    const group = groupOf(id);
    if (targetFor(group, options.targets) === undefined) continue;
    byGroup.set(group, [...(byGroup.get(group) ?? []), id]);
  }
  const budgets: GroupBudget[] = [];
  for (const [group, ids] of [...byGroup.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const targetPercent = targetFor(group, options.targets) as number;
    const over = (window: TimeWindow) =>
      combined(
        ids.map((id) => deviceAvailability(id, histories.get(id) as DeviceHistory, window, nowMs)),
        window,
      );
    const whole = over({ from: nowMs - windowMs, to: nowMs });
    const recent = over({ from: nowMs - lookbackMs, to: nowMs });
    const allowedShare = Math.max(0, 1 - targetPercent / 100);
    const knownMs = whole.upMs + whole.downMs;
    const allowedDownMs = Math.round(allowedShare * knownMs);
    const recentKnown = recent.upMs + recent.downMs;
    const recentShare = recentKnown > 0 ? recent.downMs / recentKnown : null;
    const burnRate =
      recentShare === null
        ? null
        : allowedShare > 0
          ? round2(recentShare / allowedShare)
          : recentShare > 0
            ? Infinity
            : 0;
    const leftMs = allowedDownMs - whole.downMs;
    // Offline device-ms per ms at the current rate: the whole group's known devices at the recent share.
    const spendPerMs = recentShare !== null && recentKnown > 0 ? (recentShare * recentKnown) / lookbackMs : 0;
    budgets.push({
      group,
      targetPercent,
      windowMs,
      allowedDownMs,
      usedDownMs: whole.downMs,
      budgetLeftPercent:
        knownMs > 0
          ? allowedDownMs > 0
            ? round2((leftMs * 100) / allowedDownMs)
            : whole.downMs > 0
              ? -100
              : 100
          : null,
      burnRate: burnRate === Infinity ? null : burnRate,
      exhaustedAt:
        spendPerMs > 0 && leftMs > 0 ? new Date(nowMs + Math.round(leftMs / spendPerMs)).toISOString() : null,
      availabilityPercent: whole.availabilityPercent,
    });
  }
  return budgets;
}

/** The saved alert of each group that is alerting: when it started. */
export type BudgetAlerts = Record<string, { since: string }>;

/** The alerts to fire now and the alerts that stay, against what the saved state says was fired. */
export function budgetAlerts(
  budgets: readonly GroupBudget[],
  previous: BudgetAlerts | undefined,
  options: BudgetOptions,
  instanceId: string,
  nowMs: number,
): { alerts: BudgetAlerts; events: BudgetEvent[] } {
  const threshold = options.burnRateAlert ?? DEFAULT_BURN_RATE_ALERT;
  const checkedAt = new Date(nowMs).toISOString();
  const alerts: BudgetAlerts = {};
  const events: BudgetEvent[] = [];
  for (const budget of budgets) {
    const was =
      previous && Object.prototype.hasOwnProperty.call(previous, budget.group) ? previous[budget.group] : undefined;
    // Unknown (no device time in the lookback) keeps the alert as it was: nothing new is known.
    const burning = budget.burnRate === null ? was !== undefined : budget.burnRate >= threshold;
    if (burning) {
      alerts[budget.group] = was ?? { since: checkedAt };
      if (!was)
        events.push({
          event: 'budget_burn',
          instanceId,
          group: budget.group,
          checkedAt,
          since: checkedAt,
          burnRate: budget.burnRate,
          burnRateAlert: threshold,
          budget,
        });
    } else if (was) {
      events.push({
        event: 'budget_recovered',
        instanceId,
        group: budget.group,
        checkedAt,
        since: was.since,
        burnRate: budget.burnRate,
        burnRateAlert: threshold,
        budget,
        alertedForMs: Math.max(0, nowMs - Date.parse(was.since)),
      });
    }
  }
  return { alerts, events };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
