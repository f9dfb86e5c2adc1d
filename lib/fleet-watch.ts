import { isSessionFailure, type OnsMqttClient, type QueryMode, type SessionQueryFailure, type SessionQueryOutcome } from './client';
import { reconcileAfterRestart, type ReconcileReport } from './restart-reconcile';
import { observationsOf, transition, type WatchEvent, type WatchOptions, type WatchState } from './watch';

export interface FleetCheckResult {
  state: WatchState;
  events: WatchEvent[];
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
  context: { now?: () => number; signal?: AbortSignal; afterRestart?: boolean } = {},
): Promise<FleetCheckResult> {
  const outcomes = await client.querySessions({ clientIds: fleet.clientIds, instanceId: fleet.instanceId, mode: fleet.mode }, { signal: context.signal });
  const failures = outcomes.filter(isSessionFailure);
  if (outcomes.length > 0 && failures.length === outcomes.length) throw failures[0].error;
  const instanceId = fleet.instanceId.trim();
  const observations = observationsOf(outcomes);
  const now = (context.now ?? Date.now)();
  let reconciled: ReconcileReport | undefined;
  if (context.afterRestart && previous && previous.instanceId === instanceId) {
    ({ state: previous, report: reconciled } = await reconcileAfterRestart(client, previous, observations, options, { now, signal: context.signal }));
  }
  const { state, events } = transition(previous, instanceId, observations, now, options);
  return { state, events, outcomes, failures, ...(reconciled && reconciled.checked > 0 ? { reconciled } : {}) };
}
