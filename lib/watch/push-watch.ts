/**
 * Push presence feeding the one fleet watcher, so that a user gets the same events with the same
 * fields whether they poll or subscribe (debounce, storms and incidents, offline details, summary,
 * restart reconciliation all stay the watcher's):
 * - a status event changes the device's presence (lib/push/presence.ts); the changes that arrive
 *   within `windowMs` are gathered and handed to the watcher as one partial check of those devices,
 *   so a storm (a gateway failing) is one check with many drops, which is what storm protection
 *   counts;
 * - polling stays the truth: each change is confirmed with a status query (through the same rate
 *   limit) unless `confirm` is off; after every (re)connect of the subscription every watched device
 *   is polled once (a full check) before push is trusted again, and `safetyPollMs` keeps a slow
 *   periodic full check as a net;
 * - an event is acknowledged only when the check it went into has handed its events on and saved
 *   the state that marks them fired (the watcher's order): a crash in between gives the event again,
 *   and the saved state makes the repeat harmless;
 * - an event of a device whose check is under way is never compared with what that check is about
 *   to replace (its answer may already be older than the event): it goes into the next check, so
 *   that once events stop, what the watcher believes is what the service says, for every device.
 */
import type { OnsMqttError } from '../base/errors';
import { PushPresence } from '../push/presence';
import type { StatusSubscriptionOptions } from '../push/status-subscription';
import { statusFeed, type StatusFeed } from '../push/status-feed';
import type { MalformedKind, StatusEvent } from '../push/status-event';
import { ownValue } from '../base/own-keys';
import type { FleetWatcher, WatchCheckResult } from './watcher';

export interface PushWatchOptions {
  watcher: FleetWatcher;
  /**
   * The watched devices (the watcher's list): events of other devices are acknowledged and left.
   * `'group'`: every device of the subscribed groups, each watched from the first event push gives
   * of it (the watcher keeps the growing list with its state). The watcher should then report
   * initial offline and online: a device first heard of when it drops is a drop, one first heard
   * of when it connects came online.
   */
  clientIds: readonly string[] | 'group';
  subscription: Omit<StatusSubscriptionOptions, 'onEvent' | 'onConnected' | 'onError' | 'onMalformed'>;
  /** Hands each check's events on (the host emits them). */
  deliver(result: WatchCheckResult): void | Promise<void>;
  /** Confirm each change pushed with a status query before it counts (default true). */
  confirm?: boolean;
  /** Changes pushed within this window make one check (default 1 s). */
  windowMs?: number;
  /** A full check this often as a safety net (default 15 minutes; 0: none). */
  safetyPollMs?: number;
  /** Ended channels are forgotten this long after they were last heard of (default 30 minutes). */
  purgeAfterMs?: number;
  onError?(error: OnsMqttError | Error): void;
  onMalformed?(kind: MalformedKind, count: number): void;
}

export class PushWatch {
  readonly presence: PushPresence;
  /** This watch's share of the process's one subscription for its endpoint, instance and key (lib/push/status-feed.ts). */
  private readonly subscription: StatusFeed;
  private readonly watched: Set<string> | 'group';
  /** Each watched device as the last check left it: what a pushed presence is compared with. */
  private readonly believed = new Map<string, boolean>();
  /** Devices heard of first by push ('group'), to add to the watcher's list at the next check. */
  private adding = new Set<string>();
  private pending = new Map<string, boolean>();
  private waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private safetyTimer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  /** Devices in a check under way (how many checks each), and full checks under way. */
  private readonly inFlight = new Map<string, number>();
  private fullChecksInFlight = 0;
  private stopped = false;
  /** Checks run (full and partial), for a status line and the tests. */
  readonly counts = { full: 0, partial: 0, events: 0 };

  private readonly options: Omit<PushWatchOptions, 'subscription'>;

  constructor(options: PushWatchOptions) {
    // The subscription's options hold the AccessKey secret: kept by the subscription alone (which
    // never shows it), not here, so that util.inspect of a push watch shows no secret either.
    const { subscription, ...rest } = options;
    this.options = rest;
    this.presence = new PushPresence(options.purgeAfterMs);
    this.watched = options.clientIds === 'group' ? 'group' : new Set(options.clientIds);
    this.subscription = statusFeed({
      ...subscription,
      onEvent: (event) => this.onEvent(event),
      // The events of the gap are unknown: poll every watched device once, then trust push again.
      onConnected: () => {
        this.presence.clear();
        void this.fullCheck();
      },
      onError: (error) => this.options.onError?.(error),
      onMalformed: (kind, count) => this.options.onMalformed?.(kind, count),
    });
  }

  /**
   * Resolves once subscribed (and the first full check is asked for). Rejects with the first
   * attempt's error: a refused login (then stopped), or an endpoint that cannot be reached (then
   * still trying, with backoff, until `stop`). Stopped before it ever connected, it resolves.
   */
  async start(): Promise<void> {
    const every = this.options.safetyPollMs ?? 15 * 60_000;
    if (every > 0 && !this.safetyTimer) this.safetyTimer = setInterval(() => void this.fullCheck(), every);
    // Ended channels are forgotten after their time (lib/push/presence.ts), not kept until the
    // connection drops.
    this.purgeTimer ??= setInterval(() => this.presence.purge(), Math.min(60_000, this.presence.purgeAfterMs));
    this.purgeTimer.unref?.();
    await this.subscription.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.safetyTimer);
    clearInterval(this.purgeTimer);
    await this.subscription.stop();
    // Events not yet checked stay unacknowledged: the service gives them again to the next consumer.
    for (const w of this.waiting.splice(0)) w.reject(new Error('stopped'));
  }

  get connected(): boolean {
    return this.subscription.connected;
  }

  /** Nothing gathered, nothing waiting to be checked, no check running. */
  get idle(): boolean {
    return (
      this.pending.size === 0 &&
      this.waiting.length === 0 &&
      this.flushTimer === undefined &&
      !this.options.watcher.busy
    );
  }

  private onEvent(event: StatusEvent): Promise<void> {
    this.counts.events++;
    const id = event.clientId;
    // Devices this watch does not watch leave nothing behind (20,000 events of others: no memory).
    if (this.watched !== 'group' && !this.watched.has(id)) return Promise.resolve();
    this.presence.apply(event);
    const fromGroup = this.watched === 'group' && !this.believed.has(id);
    // Compared with what the last check saw, not with the presence before this event: a device
    // connected before the subscription started has no `connect` here, and its drop is a change.
    // A device in a check under way is compared with nothing: that check's answer may be older.
    const online = this.presence.isOnline(id) === true;
    const racing = this.fullChecksInFlight > 0 || this.inFlight.has(id);
    if (!fromGroup && !racing && this.believed.get(id) === online && !this.pending.has(id)) return Promise.resolve();
    if (fromGroup) this.adding.add(id);
    this.pending.set(id, online);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.windowMs ?? 1000);
    });
  }

  /** One partial check for the changes gathered; their events are acknowledged once it saved. */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const pending = this.pending;
    const waiting = this.waiting;
    this.pending = new Map();
    this.waiting = [];
    if (this.stopped) return;
    const confirm = this.options.confirm ?? true;
    // Without confirmation, push decides only where it saw the whole story: a device whose
    // `connect` it never saw (an end alone, a channel older than the subscription) is queried.
    // (A Set, not `in` on an object: a Client ID such as "constructor" is not on every object.)
    const seen = new Set(confirm ? [] : [...pending.keys()].filter((id) => this.presence.sawConnect(id)));
    const observed = Object.fromEntries([...pending].filter(([id]) => seen.has(id)));
    const only = [...pending.keys()].filter((id) => !seen.has(id));
    const adding = [...this.adding];
    this.adding = new Set();
    const checking = [...pending.keys()];
    this.markInFlight(checking, 1);
    try {
      this.counts.partial++;
      await this.options.watcher.check({
        only,
        observed,
        ...(adding.length ? { add: adding } : {}),
        deliver: (result) => this.handOn(result),
      });
      for (const w of waiting) w.resolve();
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      for (const w of waiting) w.reject(error);
    } finally {
      this.markInFlight(checking, -1);
    }
  }

  private markInFlight(ids: readonly string[], by: 1 | -1): void {
    for (const id of ids) {
      const n = (this.inFlight.get(id) ?? 0) + by;
      if (n > 0) this.inFlight.set(id, n);
      else this.inFlight.delete(id);
    }
  }

  /** Hands a check's result on, and keeps what it found as what later pushes are compared with. */
  private handOn(result: WatchCheckResult): void | Promise<void> {
    for (const id of result.clientIds) {
      const device = ownValue(result.state.devices, id);
      // The latest observation (a change still in its debounce included), not the reported state.
      if (device) this.believed.set(id, device.pending?.online ?? device.online);
    }
    return this.options.deliver(result);
  }

  private async fullCheck(): Promise<void> {
    if (this.stopped) return;
    this.fullChecksInFlight++;
    try {
      this.counts.full++;
      await this.options.watcher.check({ deliver: (result) => this.handOn(result) });
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.fullChecksInFlight--;
    }
  }
}
