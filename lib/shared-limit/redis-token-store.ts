/**
 * A TokenStore whose buckets live in Redis, so every process that uses the same Redis, prefix and
 * egress group shares each per-source-IP limit, and every process of one account shares the
 * per-account limit. Requests of this process wait in one FIFO per set of limits; one pump per
 * FIFO asks Redis (one script call, TAKE_SCRIPT) to reserve send slots for its waiters, up to the
 * smallest burst at a time, and hands each slot to the next waiter when it comes. It asks again
 * when fewer slots than a batch are left, so a busy process makes about one round trip per batch
 * however many processes share the limit.
 *
 * When Redis is down or slow, no call fails because of it: the process falls back to its share of
 * each limit (the limit divided by the processes seen using it in the last minute), says so once,
 * and goes back to Redis when it answers again, emptying the shared buckets on its way back so that
 * what it sent alone is never added to a saved-up burst.
 */
import { createHash, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { abortedError, type Cancellable } from '../base/abort';
import { TokenBucket, sendSafeBurst, sendSafeCapacity, type LimitedKey, type TokenStore } from '../send/rate-limiter';
import { WaitQueue } from '../base/wait-queue';
import { describeRedis, type ResolvedSharedLimit } from './options';
import { ClockOffset } from './clock-offset';
import { TAKE_SCRIPT } from './take-script';

export type SharedLimitLog = (message: string) => void;

/** Processes that used a bucket within this many seconds count in its fallback share. */
const MEMBER_WINDOW_SECONDS = 60;
/** A bucket idle this long is full anyway; letting it expire keeps Redis tidy (it comes back empty). */
const BUCKET_TTL_MS = 60_000;
/** Until Redis first answers, calls wait this long for it before using the fallback share. */
const FIRST_CONNECT_WAIT_MS = 5_000;
const PROBE_INTERVAL_MS = 1_000;
/**
 * How far ahead slots may be reserved. A process holds fewer than two batches at a time, so this
 * is only reached when more than a dozen processes share one limit; then they wait their turn.
 */
const HORIZON_MS = 250;
/** Slots are asked for this much later than half a round trip ahead: reading the answer takes a moment too. */
const LEAD_MARGIN_MS = 3;
/** Requests waiting this long with no slot given out is a stall worth one warning. */
const STALL_WARNING_MS = 3_000;
/*
 * Between a slot's moment and the request leaving, a process wakes its caller and writes: a delay
 * that differs per process (a busy event loop, a shared CPU). The shared buckets keep
 * SEND_ALLOWANCE_MS of the rate off their burst (sendSafeBurst), and a request written later than
 * that pays with one more token (RedisTokenStore.charge, sent with the next round trip), so the
 * busiest second as the processes write stays within rate + burst (test/integration/
 * shared-limit.test.ts: without the allowance, 3 processes on 2 cores sent 279 against 275).
 */

interface Group {
  keys: readonly LimitedKey[];
  redisKeys: string[];
  /** The lowest rate of its limits: how fast this group's slots can come at most. */
  rate: number;
  /** Tokens owed for requests written late, not yet sent (a round trip is asked for at once). */
  owed: number;
  chargeQueued: boolean;
  limitArgs: string[];
  batch: number;
  queue: WaitQueue<number>;
  pumping: boolean;
  /**
   * Processes seen per key: the most any answer of the last minute counted (undefined until Redis
   * answered once). The most, not the last: a fallback share must never be larger than the
   * processes that may be sending allow.
   */
  members: number[] | undefined;
  membersSeenAt: number;
  fallback: TokenBucket[] | undefined;
  /** It sent on its own share: empty its shared buckets with its first call back on Redis. */
  drain: boolean;
  /**
   * Slots reserved in Redis and not yet come, in time order: when each may be used (this process's
   * clock, never before the slot) and the earliest it can have begun (what the send allowance is
   * measured from).
   */
  slots: Array<{ fireAt: number; countsFrom: number }>;
  slotTimer: NodeJS.Timeout | undefined;
  /** Wakes the pump that waits for a slot to come before it reserves more. */
  slotCame: (() => void) | undefined;
}

type TakeResult = [number, number, ...number[]];
interface ScriptedRedis extends RedisClient {
  alicloudMqttTake(...args: Array<string | number>): Promise<TakeResult>;
}

export class RedisTokenStore implements TokenStore {
  readonly processId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly redis: ScriptedRedis;
  private readonly groups = new Map<string, Group>();
  private mode: 'connecting' | 'shared' | 'fallback' = 'connecting';
  private readonly ready: Promise<boolean>;
  private probe: NodeJS.Timeout | undefined;
  private busy = 0;
  private closed = false;
  private readonly createdAt = performance.now();
  /** Round trips to Redis and the time they took (the cost of sharing, for the benchmark). */
  readonly stats = { roundTrips: 0, roundTripMs: 0, granted: 0, fallbackGrants: 0, charged: 0 };
  private readonly roundTrip = new RoundTripEstimate();
  /** Where Redis's clock is on this process's, from every round trip (not from the middle of one). */
  private readonly redisClock = new ClockOffset();
  /** The latest a slot's timer ran after its slot, in the last few seconds (the event loop's delay). */
  private timerLateMs = 0;
  private lastGrantAt = performance.now();
  private stallTimer: NodeJS.Timeout | undefined;
  private stallWarned = false;
  private stallSeenAt = 0;
  /** When the round trip under way began (undefined: none), so a stall names a round trip not yet back. */
  private roundTripSince: number | undefined;

  /** What JSON.stringify and util.inspect show: where Redis is, never its password. */
  toJSON(): Record<string, unknown> {
    return {
      redis: describeRedis(this.options.redisUrl),
      keyPrefix: this.options.keyPrefix,
      processId: this.processId,
      mode: this.mode,
    };
  }

  [inspect.custom](): string {
    return `RedisTokenStore ${inspect(this.toJSON())}`;
  }

  constructor(
    private readonly options: ResolvedSharedLimit,
    private readonly log: SharedLimitLog,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Redis } = require('ioredis') as typeof import('ioredis');
    const redisOptions: RedisOptions = {
      // The store's own timer decides "no answer in time" (answerOrTimeout); this only ends a
      // command that never gets an answer at all.
      commandTimeout: Math.max(30_000, options.commandTimeoutMs * 10),
      connectTimeout: 2_000,
      // A command while disconnected fails at once (and the fallback takes over) instead of queueing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(250 * times, 2_000),
      lazyConnect: false,
    };
    this.redis = new Redis(options.redisUrl, redisOptions) as ScriptedRedis;
    this.redis.defineCommand('alicloudMqttTake', { lua: TAKE_SCRIPT });
    // ioredis reports every failed reconnect here; the fallback says what matters once.
    this.redis.on('error', () => undefined);
    this.redis.on('connect', () => this.refSocket());
    this.ready = new Promise<boolean>((resolve) => {
      // The verdict waits one more turn of the loop (as answerOrTimeout's does): a process whose
      // event loop was blocked wakes with the timer due and the connection's answer unread.
      const timer = setTimeout(() => setImmediate(() => resolve(this.redis.status === 'ready')), FIRST_CONNECT_WAIT_MS);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  get usingFallback(): boolean {
    return this.mode === 'fallback';
  }

  take(keys: readonly LimitedKey[], signal?: Cancellable): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    const group = this.group(keys);
    const waiting = group.queue.wait(signal);
    void this.pump(group);
    return waiting;
  }

  /**
   * Pays for a request written late (lib/send/send-channels.ts): one token of every limit in
   * `keys`, taken with the next round trip (or from the fallback share at once), never waited for.
   */
  charge(keys: readonly LimitedKey[]): void {
    const group = this.group(keys);
    this.stats.charged++;
    if (this.mode === 'fallback') {
      for (const bucket of this.fallbackBuckets(group)) bucket.charge();
      return;
    }
    group.owed++;
    // Sent at once (the late writes of this turn together), not with the next reservation: the
    // sooner the shared buckets count it, the fewer slots are handed out that it should delay.
    if (group.chargeQueued) return;
    group.chargeQueued = true;
    queueMicrotask(() => {
      group.chargeQueued = false;
      void this.sendCharge(group);
    });
  }

  /** One round trip that only takes what late writes owe (the pump takes it along when this fails). */
  private async sendCharge(group: Group): Promise<void> {
    const charge = group.owed;
    if (charge === 0 || this.mode !== 'shared') return;
    group.owed = 0;
    try {
      await answerOrTimeout(this.callTake(group, 0, 0, charge, false), this.options.commandTimeoutMs);
      this.stats.roundTrips++;
    } catch {
      group.owed += charge;
      void this.pump(group);
    }
  }

  private callTake(group: Group, want: number, lead: number, charge: number, drain: boolean): Promise<TakeResult> {
    return this.redis.alicloudMqttTake(
      group.redisKeys.length,
      ...group.redisKeys,
      want,
      this.processId,
      drain ? 1 : 0,
      MEMBER_WINDOW_SECONDS,
      BUCKET_TTL_MS,
      HORIZON_MS + lead,
      lead,
      charge,
      ...group.limitArgs,
    );
  }

  /** Ends the connection (tests, and hosts that unload). Waiting callers are served by the fallback. */
  close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.redis.disconnect();
    return Promise.resolve();
  }

  private group(keys: readonly LimitedKey[]): Group {
    const id = keys.map((k) => k.key).join('\u0001');
    let group = this.groups.get(id);
    if (!group) {
      const redisKeys = keys.map((k) => this.redisKey(k.key));
      group = {
        keys,
        redisKeys: [...redisKeys, ...redisKeys.map((k) => `${k}:processes`)],
        rate: Math.min(...keys.map((k) => k.limit.ratePerSecond)),
        owed: 0,
        chargeQueued: false,
        limitArgs: keys.flatMap((k) => [String(k.limit.ratePerSecond), String(sharedBurst(k.limit))]),
        batch: Math.min(...keys.map((k) => sharedBurst(k.limit))),
        queue: new WaitQueue<number>(),
        pumping: false,
        members: undefined,
        membersSeenAt: 0,
        fallback: undefined,
        drain: false,
        slots: [],
        slotTimer: undefined,
        slotCame: undefined,
      };
      this.groups.set(id, group);
    }
    return group;
  }

  /**
   * `{prefix}:source:<egress>:<host>:<api>` and `{prefix}:account:<hash>:<api>`. The braces keep
   * every key of one prefix in one Redis Cluster slot (a script may only touch one slot). The
   * account is hashed: its name (an AccessKey ID) has no business being readable in Redis.
   */
  private redisKey(localKey: string): string {
    const [scope, name, api] = localKey.split('\u0000');
    const tag = `{${this.options.keyPrefix}}`;
    if (scope === 'source') return `${tag}:source:${this.options.egressId}:${name}:${api}`;
    const account = this.options.accountId ? `account:${this.options.accountId}` : name;
    return `${tag}:account:${createHash('sha256').update(account).digest('hex').slice(0, 24)}:${api}`;
  }

  private async pump(group: Group): Promise<void> {
    if (group.pumping) return;
    group.pumping = true;
    this.busy++;
    this.refSocket();
    this.watchProgress();
    try {
      // Waiters that no reserved slot will reach yet, or late writes still to be paid for.
      while (group.queue.length > group.slots.length || group.owed > 0) {
        if (this.mode === 'connecting')
          this.mode = (await this.ready)
            ? 'shared'
            : this.enterFallback(
                `it has not answered in the ${FIRST_CONNECT_WAIT_MS / 1000} s since this process started`,
              );
        if (this.mode === 'fallback') {
          // What late writes still owe is paid to this process's share instead.
          for (; group.owed > 0; group.owed--) for (const bucket of this.fallbackBuckets(group)) bucket.charge();
          if (group.queue.length > group.slots.length) await this.takeFallback(group);
        } else if (group.queue.length <= group.slots.length) await this.takeShared(group, 0);
        else if (group.slots.length >= this.heldAtMost(group))
          await new Promise<void>((resolve) => (group.slotCame = resolve));
        else await this.takeShared(group, Math.min(group.queue.length - group.slots.length, this.heldAtMost(group)));
      }
    } finally {
      group.pumping = false;
      this.busy--;
      this.refSocket();
    }
  }

  /**
   * How many slots this process reserves at a time, and holds fewer than twice that: a batch, or
   * what its rate needs while one round trip is under way (a Redis far away: one round trip at a
   * time per group must still keep up with the rate), within what the horizon lets it reserve.
   */
  private heldAtMost(group: Group): number {
    const perRoundTrip = Math.ceil((group.rate * 1.5 * this.roundTrip.estimateMs()) / 1000);
    return Math.max(group.batch, Math.min(perRoundTrip, Math.floor((group.rate * HORIZON_MS) / 1000)));
  }

  /** How far ahead of Redis's now slots are asked for: half a round trip, and a margin to read the answer. */
  private leadMs(): number {
    return Math.min(HORIZON_MS / 2, Math.ceil(this.roundTrip.estimateMs() / 2) + LEAD_MARGIN_MS);
  }

  /**
   * One round trip: reserves up to `want` slots, and pays what late writes owe. Slots are never
   * thrown away once Redis counted them: an answer read late (Redis far away, this process's event
   * loop blocked) still gives its slots, placed on this process's clock where Redis's clock was
   * (ClockOffset: the bounds of all the round trips so far, not the middle of this one, which a
   * busy host skews), and asked for far enough ahead (`leadMs`) that they are still to come when
   * the answer arrives.
   */
  private async takeShared(group: Group, want: number): Promise<void> {
    const started = performance.now();
    const lead = this.leadMs();
    const charge = group.owed;
    group.owed = 0;
    let result: TakeResult;
    this.roundTripSince = started;
    try {
      const drain = group.drain;
      result = await answerOrTimeout(this.callTake(group, want, lead, charge, drain), this.options.commandTimeoutMs);
      if (drain) group.drain = false;
    } catch (error) {
      group.owed += charge;
      this.enterFallback(reason(error));
      return;
    } finally {
      this.roundTripSince = undefined;
      this.stats.roundTrips++;
      this.stats.roundTripMs += performance.now() - started;
    }
    const now = performance.now();
    this.roundTrip.add(now - started);
    const answer = result.map(Number);
    const [granted, waitMs] = answer;
    const members = answer.slice(3, 3 + group.keys.length);
    const recent = group.members !== undefined && now - group.membersSeenAt < MEMBER_WINDOW_SECONDS * 1000;
    group.members = members.map((m, i) => Math.max(m, recent ? (group.members?.[i] ?? 0) : 0));
    if (!recent || members.some((m, i) => m >= (group.members?.[i] ?? 0))) group.membersSeenAt = now;
    const redisNow = this.redisClock.observe(answer[2] / 1000, started, now);
    for (const slotUs of answer.slice(3 + group.keys.length)) {
      const at = redisNow + slotUs / 1000;
      group.slots.push({ fireAt: at, countsFrom: at });
    }
    this.armSlotTimer(group);
    // Fewer than asked: the horizon is full (many processes); ask again when it moves on, each
    // process at its own moment.
    if (granted < want) await sleep(Math.max(1, waitMs) + Math.random() * Math.max(1, ...group.members));
  }

  /** One timer per group, for its next slot: each slot that has come goes to the next waiter. */
  private armSlotTimer(group: Group): void {
    if (group.slotTimer || group.slots.length === 0) return;
    const fire = () => {
      group.slotTimer = undefined;
      const now = performance.now();
      if (group.slots.length > 0) this.timerLateMs = Math.max(this.timerLateMs, now - group.slots[0].fireAt);
      while (group.slots.length > 0 && group.slots[0].fireAt <= now) {
        const slot = group.slots.shift()!;
        // A waiter that gave up meanwhile leaves the slot unused: never more than the limit.
        if (group.queue.grantNext(slot.countsFrom)) {
          this.stats.granted++;
          this.lastGrantAt = now;
        }
      }
      const wake = group.slotCame;
      group.slotCame = undefined;
      wake?.();
      this.armSlotTimer(group);
    };
    // A timer may run up to a millisecond before its time on the event loop's cached clock: the
    // loop above checks each slot against the real one and arms again for what is left.
    group.slotTimer = setTimeout(fire, Math.max(0, Math.ceil(group.slots[0].fireAt - performance.now())));
  }

  private async takeFallback(group: Group): Promise<void> {
    group.drain = true;
    for (const bucket of this.fallbackBuckets(group)) await bucket.take();
    if (group.queue.grantNext(performance.now())) {
      this.stats.fallbackGrants++;
      this.lastGrantAt = performance.now();
    }
  }

  /** This process's share of each limit of the group, while Redis is away. */
  private fallbackBuckets(group: Group): TokenBucket[] {
    group.fallback ??= group.keys.map((k, i) => {
      const share = this.share(group.members?.[i]);
      // Starts empty: the shared buckets may have been spent just before Redis went away. Its part
      // of the send-safe capacity, as the shared buckets hold (the shares together: one bucket's).
      return new TokenBucket(
        k.limit.ratePerSecond / share,
        Math.max(1, sendSafeCapacity(k.limit) / share),
        undefined,
        0,
      );
    });
    return group.fallback;
  }

  /**
   * Liveness, said: while requests wait, a check every second; when none was given a slot for
   * STALL_WARNING_MS, one warning with the likely cause (Redis's round trips, the event loop's
   * delay), and none again until slots flow.
   */
  private watchProgress(): void {
    if (this.stallTimer || this.closed) return;
    // Waiting starts now: the time the process sat idle before is no stall.
    this.lastGrantAt = Math.max(this.lastGrantAt, performance.now());
    this.stallTimer = setInterval(() => {
      const waiting = [...this.groups.values()].some((g) => g.queue.length > 0);
      const now = performance.now();
      if (!waiting) {
        clearInterval(this.stallTimer);
        this.stallTimer = undefined;
        this.stallWarned = false;
        this.timerLateMs = 0;
        return;
      }
      // Until Redis first answers, the wait is the first connection's; without Redis, the fallback
      // said once why requests go slower: each has its own warning.
      if (this.mode !== 'shared') this.lastGrantAt = Math.max(this.lastGrantAt, now - STALL_WARNING_MS / 2);
      if (this.mode !== 'shared' || now - this.lastGrantAt < STALL_WARNING_MS) {
        // An episode ends when slots have flowed for a while, not between two late batches.
        if (now - this.stallSeenAt > 10_000) this.stallWarned = false;
        return;
      }
      this.stallSeenAt = now;
      if (this.stallWarned) return;
      this.stallWarned = true;
      const roundTrip = Math.round(
        Math.max(this.roundTrip.estimateMs(), this.roundTripSince === undefined ? 0 : now - this.roundTripSince),
      );
      const late = Math.round(this.timerLateMs);
      this.timerLateMs = 0;
      const cause =
        roundTrip > 100
          ? `Redis answers slowly (round trips of about ${roundTrip} ms)`
          : late > 100
            ? `this process's event loop is blocked (timers run up to ${late} ms late)`
            : `other processes hold the limit (round trips ${roundTrip} ms, timers up to ${late} ms late)`;
      this.log(
        `Shared rate limit: requests have waited ${((now - this.lastGrantAt) / 1000).toFixed(1)} s for a send slot: ${cause}.`,
      );
    }, 1_000);
    this.stallTimer.unref();
  }

  private enterFallback(why: string): 'fallback' {
    if (this.mode === 'fallback') return 'fallback';
    this.mode = 'fallback';
    // Slots reserved before Redis went away still come, and are used: this process's share counts
    // them, so that they and its first grants alone do not add up to more than its part.
    for (const group of this.groups.values()) {
      for (let i = 0; i < group.slots.length; i++) for (const bucket of this.fallbackBuckets(group)) bucket.charge();
    }
    const groups = [...this.groups.values()];
    const shares = groups.flatMap((g) => g.keys.map((_, i) => this.share(g.members?.[i])));
    // Never heard from Redis: who else sends is unknown, and the share is the assumed one, said so.
    const unknown = groups.length === 0 || groups.some((g) => g.members === undefined);
    const assumed = unknown
      ? ` (how many processes share it is unknown: it assumes ${this.options.assumedProcesses}, sharedLimit.assumedProcesses)`
      : '';
    this.log(
      `Shared rate limit: Redis at ${describeRedis(this.options.redisUrl)} is unavailable (${why}); this process now keeps to 1/${Math.max(1, ...(shares.length ? shares : [this.share(undefined)]))} of each limit on its own${assumed}, and goes back to the shared limit when Redis answers.`,
    );
    if (!this.closed) {
      this.probe = setInterval(() => void this.tryReturn(), PROBE_INTERVAL_MS);
      this.probe.unref();
    }
    return 'fallback';
  }

  /**
   * How many processes this one shares a limit with, for its fallback: those Redis saw using it in
   * the last minute. Until this process has itself been running that long, others may not have
   * sent yet, so it also assumes at least `assumedProcesses`.
   */
  private share(seen: number | undefined): number {
    const young = performance.now() - this.createdAt < MEMBER_WINDOW_SECONDS * 1000;
    return Math.max(1, seen ?? 1, young || seen === undefined ? this.options.assumedProcesses : 1);
  }

  private async tryReturn(): Promise<void> {
    if (this.mode !== 'fallback' || this.redis.status !== 'ready') return;
    try {
      await answerOrTimeout(this.redis.ping(), this.options.commandTimeoutMs);
    } catch {
      return;
    }
    if (this.mode !== 'fallback') return;
    if (this.probe) clearInterval(this.probe);
    this.probe = undefined;
    for (const group of this.groups.values()) group.fallback = undefined;
    this.mode = 'shared';
    this.log(
      `Shared rate limit: Redis at ${describeRedis(this.options.redisUrl)} answers again; this process is back on the shared limit.`,
    );
  }

  /** The connection keeps the process alive only while requests wait for it. */
  private refSocket(): void {
    const socket = (this.redis as unknown as { stream?: { ref(): void; unref(): void } }).stream;
    if (!socket) return;
    if (this.busy > 0) socket.ref();
    else socket.unref();
  }
}

/**
 * `command`'s answer, or a "timed out" error after `timeoutMs`. The verdict waits one turn of the
 * event loop past the timer (setImmediate runs after the poll phase, where a waiting socket is
 * read): a process whose event loop was blocked wakes with the timer due *and* the answer in its
 * socket, and must not take the late reading for an outage (a busy CI machine showed both flaps).
 */
function answerOrTimeout<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settled) return;
          settled = true;
          reject(new Error('Command timed out'));
        }),
      timeoutMs,
    );
    command.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

const sharedBurst = sendSafeBurst;

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return 'no answer in time';
  if (/connection|closed|ECONNREFUSED|writeable|stream/i.test(message)) return 'not connected';
  // Never the whole message: a Redis error can quote its command (keys, the process id).
  return message.split(/[\s:]/)[0] || 'error';
}

/**
 * The round trip to Redis, for how far ahead to reserve: the largest of the last few (a slot asked
 * for too short a time ahead arrives already due, and is written late).
 */
class RoundTripEstimate {
  private readonly recent: number[] = [];
  add(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 8) this.recent.shift();
  }
  estimateMs(): number {
    return this.recent.length === 0 ? 1 : Math.max(...this.recent);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
