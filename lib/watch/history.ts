/**
 * Each device's own record of its outages, kept in the saved watch state so that availability can
 * be computed from what the watcher saw (lib/watch/availability.ts). Plain JSON, bounded: outages
 * that ended more than 31 days ago are dropped, and at most 200 are kept per device (a device that
 * flaps all month would otherwise grow without end); where older outages were dropped, the record
 * starts after them (`from`), so that time is counted as unknown, never as up.
 * Times are milliseconds since the epoch, the confirmed times of the watcher: an outage starts when
 * the device was first seen offline and ends when it was first seen online again.
 */
export type Outage = [start: number, end: number] | [start: number, end: number, reason: string];

export interface DeviceHistory {
  /** The record is complete from here (the device's first check, or after dropped outages). */
  from: number;
  /** Oldest first; `end` 0 while the outage lasts; the third element is the reason when known. */
  outages: Outage[];
}

export const HISTORY_RETENTION_MS = 31 * 24 * 60 * 60_000;
export const MAX_OUTAGES_PER_DEVICE = 200;

/** A device's first check: the record starts now, with an outage if it is offline. */
export function startHistory(online: boolean, atMs: number): DeviceHistory {
  return { from: atMs, outages: online ? [] : [[atMs, 0]] };
}

/** A confirmed change at `atMs` (when the device was first seen in its new state). */
export function recordChange(history: DeviceHistory, online: boolean, atMs: number): DeviceHistory {
  const outages = [...history.outages];
  const last = outages[outages.length - 1];
  const open = last !== undefined && last[1] === 0;
  if (online && open) outages[outages.length - 1] = withEnd(last, Math.max(last[0], atMs));
  if (!online && !open) outages.push([Math.max(atMs, last ? last[1] : history.from), 0]);
  return { from: history.from, outages };
}

/** Gives the outage that started at `start` its reason (the offline details, read after the change). */
export function withReason(history: DeviceHistory, start: number, reason: string): DeviceHistory {
  return {
    from: history.from,
    outages: history.outages.map((o) => (o[0] === start ? [o[0], o[1], reason] : o)),
  };
}

/** Drops what is older than the retention and beyond the count, moving `from` past it. */
export function pruneHistory(history: DeviceHistory, nowMs: number): DeviceHistory {
  let { from } = history;
  let outages = history.outages;
  const horizon = nowMs - HISTORY_RETENTION_MS;
  let drop = 0;
  while (drop < outages.length && outages[drop][1] !== 0 && outages[drop][1] < horizon) drop++;
  if (outages.length - drop > MAX_OUTAGES_PER_DEVICE) drop = outages.length - MAX_OUTAGES_PER_DEVICE;
  if (drop > 0) {
    from = Math.max(from, outages[drop - 1][1] || outages[drop - 1][0]);
    outages = outages.slice(drop);
  }
  if (from < horizon && (outages.length === 0 || outages[0][0] >= horizon)) from = horizon;
  return from === history.from && outages === history.outages ? history : { from, outages };
}

function withEnd(outage: Outage, end: number): Outage {
  return outage.length === 3 ? [outage[0], end, outage[2]] : [outage[0], end];
}

/** Whether a value read from a store is a history this code can use (a hand-edited store is not trusted). */
export function isDeviceHistory(value: unknown): value is DeviceHistory {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Partial<DeviceHistory>;
  return (
    typeof h.from === 'number' &&
    Array.isArray(h.outages) &&
    h.outages.every((o) => Array.isArray(o) && typeof o[0] === 'number' && typeof o[1] === 'number')
  );
}
