/**
 * Flapping: a device that drops and returns every few minutes would open one ticket per outage.
 * Monitoring tools hold such a device back; this is Nagios's flap detection, per device:
 * - the last 21 observed states (one per check that saw the device, polled or pushed), oldest first;
 * - each of the 20 steps between them that changes state counts with a weight rising from 0.75
 *   (oldest) to 1.25 (newest), so that recent changes count most; the sum over 20 steps, as a
 *   percentage, is the percent state change (0: steady, 100: changing at every check);
 * - hysteresis: flapping starts when the percentage reaches the high threshold and stops only when
 *   it falls to the low one, so a device near one threshold does not toggle.
 * Defaults are those of the `nagios.cfg` Nagios Core ships (`high_host_flap_threshold=20.0`,
 * `low_host_flap_threshold=5.0`); Nagios's built-in fallback when a configuration sets neither is
 * 30 and 20 (`DEFAULT_HIGH_HOST_FLAP_THRESHOLD`, `DEFAULT_LOW_HOST_FLAP_THRESHOLD`).
 * Pure functions over plain JSON: the history is a string of '1' (online) and '0' (offline), at
 * most 21 characters per device in the saved state.
 */
export interface FlappingOptions {
  /** Flapping starts when the percent state change reaches this (Nagios default 20). */
  highPercent: number;
  /** ... and stops when it falls to this (Nagios default 5); below `highPercent`. */
  lowPercent: number;
}

export const DEFAULT_FLAPPING: FlappingOptions = { highPercent: 20, lowPercent: 5 };
/** Nagios's MAX_STATE_HISTORY_ENTRIES: 21 states, 20 steps between them. */
export const FLAP_HISTORY_STATES = 21;
const STEPS = FLAP_HISTORY_STATES - 1;
const OLDEST_WEIGHT = 0.75;
const NEWEST_WEIGHT = 1.25;

/** The history with one more observed state (the oldest dropped beyond 21). */
export function recordState(history: string | undefined, online: boolean): string {
  const next = (history ?? '') + (online ? '1' : '0');
  return next.length > FLAP_HISTORY_STATES ? next.slice(next.length - FLAP_HISTORY_STATES) : next;
}

/**
 * Nagios's weighted percent state change over the history. A shorter history (a device watched
 * for fewer than 21 checks) still divides by 20 steps: a new device is not called flapping on
 * three checks. Rounded to 0.01.
 */
export function percentStateChange(history: string): number {
  let weighted = 0;
  // The step into state i (1..n-1); with n = 21 the oldest step has weight 0.75, the newest 1.25.
  const offset = FLAP_HISTORY_STATES - history.length;
  for (let i = 1; i < history.length; i++) {
    if (history[i] === history[i - 1]) continue;
    const step = i - 1 + offset; // 0 (oldest of 20) .. 19 (newest)
    weighted += OLDEST_WEIGHT + (step * (NEWEST_WEIGHT - OLDEST_WEIGHT)) / (STEPS - 1);
  }
  return Math.round((weighted * 100 * 100) / STEPS) / 100;
}

/** How many steps of the history change state. */
export function stateChanges(history: string): number {
  let changes = 0;
  for (let i = 1; i < history.length; i++) if (history[i] !== history[i - 1]) changes++;
  return changes;
}

/** Hysteresis: start at or above the high threshold, stop at or below the low one, else stay. */
export function nextFlapping(wasFlapping: boolean, percent: number, options: FlappingOptions): boolean {
  if (wasFlapping) return percent > options.lowPercent;
  return percent >= options.highPercent;
}

/** The thresholds from a host's or caller's settings: bounded, the low one below the high one. */
export function flappingOptionsFrom(settings: { highPercent?: unknown; lowPercent?: unknown }): FlappingOptions {
  const number = (value: unknown, fallback: number) => {
    const n = typeof value === 'string' && value.trim() === '' ? NaN : Number(value);
    return Number.isFinite(n) && n > 0 ? Math.min(100, n) : fallback;
  };
  const highPercent = number(settings.highPercent, DEFAULT_FLAPPING.highPercent);
  const lowPercent = Math.min(number(settings.lowPercent, DEFAULT_FLAPPING.lowPercent), highPercent);
  return { highPercent, lowPercent: lowPercent === highPercent ? highPercent / 4 : lowPercent };
}
