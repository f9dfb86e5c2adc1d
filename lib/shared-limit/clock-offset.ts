/**
 * Where Redis's clock is on this process's clock, from the round trips themselves.
 *
 * A shared slot is a moment on Redis's clock (its TIME when the script ran, plus an offset). The
 * process must use the slot at that moment on its own clock. One round trip only says that the
 * script ran somewhere between the request leaving (`sentAt`) and the answer being read
 * (`readAt`). The middle of that span is right only when both halves took equally long. On a busy
 * host they do not: the process writes late, Redis runs late, or the answer is read late. A slot
 * placed wrong by e milliseconds moves rate x e of the group's sends into the wrong second, and no
 * charge for a late write sees it (measured: 4 processes on 2 loaded cores sent 470 in a second
 * against 465).
 *
 * Each round trip bounds the offset between the two clocks: local = redis + offset, where
 * offset >= sentAt - redisNow and offset <= readAt - redisNow, whatever the delays were. The true
 * offset satisfies every such bound, so their intersection holds it too. The intersection soon
 * shrinks to the quickest outbound and the quickest return delay seen, a fraction of a millisecond
 * on one machine, however slow most round trips are. This is NTP's reasoning applied across
 * samples, as Marzullo's algorithm does.
 *
 * Clocks drift. A bound loses `DRIFT_PER_MS` of its sharpness per millisecond of age, so a
 * slowly drifting Redis clock stays inside. A bound that no longer meets the new one (Redis's
 * clock stepped, or a failover to another machine) is dropped for the new round trip's own.
 */

/**
 * How fast the two clocks may drift apart: 500 ppm, the most the Linux kernel slews a clock for
 * NTP (MAXFREQ, 500,000 ns a second, in linux/timex.h). Ordinary drift is far below it.
 */
export const DRIFT_PER_MS = 500e-6;

export class ClockOffset {
  /** The bounds of `local - redis` in milliseconds, as of `asOf` (this process's clock). */
  private low = -Infinity;
  private high = Infinity;
  private asOf = 0;

  /**
   * Takes one round trip's bounds into the estimate, and returns where `redisNowMs` (Redis's clock
   * when the script ran) was on this process's clock.
   */
  observe(redisNowMs: number, sentAt: number, readAt: number): number {
    const low = sentAt - redisNowMs;
    const high = readAt - redisNowMs;
    const widen = Math.max(0, readAt - this.asOf) * DRIFT_PER_MS;
    const keptLow = Math.max(this.low - widen, low);
    const keptHigh = Math.min(this.high + widen, high);
    if (keptLow <= keptHigh) {
      this.low = keptLow;
      this.high = keptHigh;
    } else {
      this.low = low;
      this.high = high;
    }
    this.asOf = readAt;
    return redisNowMs + this.offsetMs();
  }

  /** The best estimate of `local - redis`: the middle of what the round trips allow. */
  offsetMs(): number {
    return (this.low + this.high) / 2;
  }

  /** How far the estimate can be from the truth, in milliseconds: half the interval that holds it. */
  uncertaintyMs(): number {
    return (this.high - this.low) / 2;
  }
}
