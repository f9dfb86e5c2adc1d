import { abortedError } from '../base/abort';
import { ownValue } from '../base/own-keys';
import {
  isSessionFailure,
  type OfflineDetails,
  type OfflineDetailsOptions,
  type QueryMode,
  type SessionQueryFailure,
  type SessionQueryOutcome,
} from '../base/results';
import { type OnsMqttClient } from '../client/client';
import { withReason } from './history';
import { reconcileAfterRestart, type ReconcileReport } from './restart-reconcile';
import {
  observationsOf,
  summarize,
  transition,
  type HealthNotice,
  type IncidentNotice,
  type Observation,
  type WatchEvent,
  type WatchOptions,
  type WatchState,
} from './transition';

/** One per check when asked for: counts for a dashboard. */
export interface FleetSummary {
  event: 'summary';
  instanceId: string;
  checkedAt: string;
  watched: number;
  online: number;
  offline: number;
  /** Watched devices never checked successfully yet. */
  unknown: number;
  /** Devices whose check failed this time (their last known state is counted above). */
  failed: number;
  /** Confirmed changes in this check (those folded into an incident included). */
  wentOffline: number;
  cameOnline: number;
  /** Since the last check: online and offline counts now minus then (null on the first check). */
  change: { online: number; offline: number } | null;
  incident: { incidentId: string; startedAt: string; devices: number; stillOffline: number } | null;
}

export interface FleetCheckContext {
  now?: () => number;
  signal?: AbortSignal;
  afterRestart?: boolean;
  /** Offline events and incident devices carry why and since when (one trace query per device). */
  offlineDetails?: boolean | OfflineDetailsOptions;
  /** Add a summary of the check to the result. */
  summary?: boolean;
  /**
   * A partial check (push presence): only these devices are queried; every other watched device
   * keeps its state, as a device whose check failed does (no event for it).
   */
  only?: ReadonlySet<string>;
  /** What push said of these devices, taken as observed without a query (confirmation turned off). */
  observed?: ReadonlyMap<string, boolean>;
}

export interface FleetCheckResult {
  state: WatchState;
  events: WatchEvent[];
  /** Incident started / resolved (storm protection). */
  incidents: IncidentNotice[];
  /** Flapping started or stopped, alarm changes no event carries, budget alerts. */
  health: HealthNotice[];
  summary?: FleetSummary;
  outcomes: SessionQueryOutcome[];
  /** Devices whose check failed this time (their state is kept, no event fired). */
  failures: SessionQueryFailure[];
  /** Present when this check was the first after a restart and read connection traces. */
  reconciled?: ReconcileReport;
}

/**
 * One check of a watched fleet: query every device, then apply the pure transition. When every
 * device failed (network down, bad credentials) it throws the first error and the caller keeps
 * its previous state, so a fault never becomes a flood of "offline" events.
 */
export async function checkFleet(
  client: OnsMqttClient,
  fleet: { instanceId: string; clientIds: readonly string[]; mode?: QueryMode },
  previous: WatchState | undefined,
  options: WatchOptions,
  context: FleetCheckContext = {},
): Promise<FleetCheckResult> {
  const { only, observed } = context;
  const toQuery = fleet.clientIds.filter((id) => (only === undefined || only.has(id)) && !observed?.has(id));
  const outcomes =
    toQuery.length > 0 || (only === undefined && observed === undefined)
      ? await client.querySessions(
          { clientIds: toQuery, instanceId: fleet.instanceId, mode: fleet.mode },
          { signal: context.signal },
        )
      : [];
  // A check cut short (a deploy, a stop) is no check: the devices it did not reach would be
  // "unknown", those it reached would fire events nobody is left to hand on. Nothing of it counts.
  throwIfAborted(context.signal);
  const failures = outcomes.filter(isSessionFailure);
  if (outcomes.length > 0 && failures.length === outcomes.length) throw failures[0].error;
  const instanceId = fleet.instanceId.trim();
  const observations = observationsOfCheck(fleet.clientIds, outcomes, context);
  const now = (context.now ?? Date.now)();
  let reconciled: ReconcileReport | undefined;
  // Only a full check reads the traces after a restart: a partial one keeps the others as they are.
  if (
    context.afterRestart &&
    only === undefined &&
    observed === undefined &&
    previous &&
    previous.instanceId === instanceId
  ) {
    ({ state: previous, report: reconciled } = await reconcileAfterRestart(client, previous, observations, options, {
      now,
      signal: context.signal,
    }));
    throwIfAborted(context.signal);
  }
  const { state, events, incidents, changed, health } = transition(previous, instanceId, observations, now, options);
  if (context.offlineDetails) {
    await addOfflineDetails(client, instanceId, events, incidents, context.offlineDetails, context.signal);
    throwIfAborted(context.signal);
    recordReasons(state, events, incidents);
  }
  const result: FleetCheckResult = {
    state,
    events,
    incidents,
    health,
    outcomes,
    failures,
    ...(reconciled && reconciled.checked > 0 ? { reconciled } : {}),
  };
  if (context.summary) {
    const before = previous && previous.instanceId === instanceId ? summarize(previous) : undefined;
    result.summary = summaryOf(
      state,
      fleet.clientIds.length,
      failures.length,
      changed,
      before,
      new Date(now).toISOString(),
    );
  }
  return result;
}

/**
 * Why and since when, on each offline event and each device of a new incident. The reads run at
 * once through the client's limits; each one that fails says so on its event (the events stand).
 */
async function addOfflineDetails(
  client: OnsMqttClient,
  instanceId: string,
  events: WatchEvent[],
  incidents: IncidentNotice[],
  options: boolean | OfflineDetailsOptions,
  signal: AbortSignal | undefined,
): Promise<void> {
  const detailOptions = typeof options === 'object' ? options : {};
  const targets: Array<{ clientId: string } & Partial<OfflineDetails>> = [
    ...events.filter((e) => e.event === 'offline'),
    ...incidents.flatMap((i) => (i.event === 'incident' ? i.devices : [])),
  ];
  await Promise.all(
    targets.map(async (target) => {
      Object.assign(
        target,
        await client.readOfflineDetails({ clientId: target.clientId, instanceId }, { ...detailOptions, signal }),
      );
    }),
  );
}

/** The outages that just began get their reason in the devices' histories (for availability reports). */
function recordReasons(state: WatchState, events: readonly WatchEvent[], incidents: readonly IncidentNotice[]): void {
  const started: Array<{ clientId: string; since: string } & Partial<OfflineDetails>> = [
    ...events.filter((e) => e.event === 'offline'),
    ...incidents.flatMap((i) => (i.event === 'incident' ? i.devices : [])),
  ];
  for (const device of started) {
    const reason = device.lastDisconnectCode ?? undefined;
    const record = state.health ? ownValue(state.health, device.clientId) : undefined;
    if (!reason || !record) continue;
    record.history = withReason(record.history, Date.parse(device.since), reason);
  }
}

function summaryOf(
  state: WatchState,
  watched: number,
  failed: number,
  changed: { offline: number; online: number },
  before: { online: number; offline: number } | undefined,
  checkedAt: string,
): FleetSummary {
  const counts = summarize(state);
  const incident = state.incident;
  return {
    event: 'summary',
    instanceId: state.instanceId,
    checkedAt,
    watched,
    online: counts.online,
    offline: counts.offline,
    unknown: Math.max(0, watched - counts.online - counts.offline),
    failed,
    wentOffline: changed.offline,
    cameOnline: changed.online,
    change: before ? { online: counts.online - before.online, offline: counts.offline - before.offline } : null,
    incident: incident
      ? {
          incidentId: incident.id,
          startedAt: incident.startedAt,
          devices: Object.keys(incident.devices).length,
          stillOffline: Object.keys(incident.devices).filter((id) => ownValue(state.devices, id)?.online === false)
            .length,
        }
      : null,
  };
}

/** Every watched device's observation: queried, told by push, or (in a partial check) kept as it was. */
function observationsOfCheck(
  clientIds: readonly string[],
  outcomes: readonly SessionQueryOutcome[],
  context: FleetCheckContext,
): Observation[] {
  if (context.only === undefined && context.observed === undefined) return observationsOf(outcomes);
  const queried = new Map(observationsOf(outcomes).map((o) => [o.clientId, o]));
  return clientIds.map((clientId) => {
    const pushed = context.observed?.get(clientId);
    if (pushed !== undefined) return { clientId, online: pushed };
    return queried.get(clientId) ?? { clientId };
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}
