/**
 * The first check after a restart, when the saved state may be older than what the watcher last
 * saw. n8n writes a trigger's static data only when a poll fires an event (and when the workflow
 * is activated or deactivated): a change that fired nothing lives in memory until then. Most such
 * changes only delay an event (a debounce starts again). One kind loses an event for good: a change
 * of a kind the user did not select. With only "went offline" selected, a device reported offline
 * that came back (nothing fired, nothing saved) and drops again after the restart looks like the
 * outage already reported. The connection trace since the saved `since` tells the two apart: a
 * device saved offline that has an accepted connect in that window was online in between, so its
 * present drop is a new outage (and the same, mirrored, for "came online" alone).
 *
 * One trace query per device that needs it, on the first check of a process only; a trace that
 * cannot be read keeps the saved state for that device (the window stays as documented).
 */
import { isAcceptedReason } from '../base/results';
import { ownValue, setOwn } from '../base/own-keys';
import type { OnsMqttClient } from '../client/client';
import type { Observation, WatchOptions, WatchState } from './transition';

/** Trace events read per device: any event of the opposite kind in the window is enough. */
const TRACE_EVENTS_READ = 20;

export interface ReconcileReport {
  /** Devices whose trace was read. */
  checked: number;
  /** Devices found to have changed state while the saved state did not say so. */
  changed: string[];
  /** Devices whose trace could not be read (their saved state is kept). */
  failed: string[];
}

/** Devices whose saved state agrees with what is seen now while an unselected change could hide between. */
function candidates(
  saved: WatchState,
  observations: readonly Observation[],
  options: WatchOptions,
): Array<{ clientId: string; online: boolean; since: string }> {
  const out: Array<{ clientId: string; online: boolean; since: string }> = [];
  for (const { clientId, online } of observations) {
    const device = ownValue(saved.devices, clientId);
    if (online === undefined || !device || device.pending || device.online !== online) continue;
    // The opposite change would have fired (and so been saved) had its event been selected.
    const oppositeSelected = online ? options.events.offline : options.events.online;
    if (oppositeSelected) continue;
    out.push({ clientId, online, since: device.since });
  }
  return out;
}

/** Whether a trace event took the device out of the state it is in now (and was saved in). */
function leftState(event: { action: string; reason: string }, online: boolean): boolean {
  const action = event.action.toLowerCase();
  // A refused login (not authorized, clientId conflict, ...) is a connect that never came online.
  if (!online) return action === 'connect' && isAcceptedReason(event.reason);
  return action === 'disconnect' || action === 'close';
}

/**
 * The saved state with the hidden changes put back: a device that left its state and returned is
 * recorded as having been in the other state until now, so that `transition` sees the return as a
 * change (and applies the debounce from now: the trace's times carry no time zone, so they date
 * nothing here; an event may come later than it would have, never earlier).
 */
export async function reconcileAfterRestart(
  client: OnsMqttClient,
  saved: WatchState,
  observations: readonly Observation[],
  options: WatchOptions,
  context: { now: number; signal?: AbortSignal },
): Promise<{ state: WatchState; report: ReconcileReport }> {
  const report: ReconcileReport = { checked: 0, changed: [], failed: [] };
  const devices = { ...saved.devices };
  const nowIso = new Date(context.now).toISOString();
  await Promise.all(
    candidates(saved, observations, options).map(async ({ clientId, online, since }) => {
      report.checked++;
      try {
        const events = await client.queryConnectionTrace(
          {
            clientId,
            instanceId: saved.instanceId,
            from: Math.min(Date.parse(since), context.now),
            to: context.now,
            limit: TRACE_EVENTS_READ,
          },
          { signal: context.signal },
        );
        if (events.some((e) => leftState(e, online))) {
          setOwn(devices, clientId, { online: !online, since: nowIso });
          report.changed.push(clientId);
        }
      } catch (error) {
        if (context.signal?.aborted) throw error;
        report.failed.push(clientId);
      }
    }),
  );
  report.changed.sort();
  report.failed.sort();
  return { state: { ...saved, devices }, report };
}
