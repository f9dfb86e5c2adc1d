/**
 * The fleet watcher both hosts schedule: it owns the watch list, the saved state and the rule of
 * one check at a time. The hosts only decide when to ask for a check (a timer, a poll, an input
 * message) and where the state is kept (a Node-RED context store, n8n's static data).
 *
 * - One check at a time: a request that arrives while a check runs is served by the next check,
 *   and all requests that arrive meanwhile share that one next check (coalesced, none dropped).
 *   Two overlapping requests therefore never read the same saved state twice, which is what would
 *   fire "went offline" twice for one disconnect.
 * - A list given with a request (Node-RED: an array in msg.payload) overrides the configured list
 *   and is saved with the configured list it replaced; when the configured list changes (the user
 *   edited the node and redeployed), the override is dropped and the new configured list applies.
 * - A check cut short by the watcher's signal saves nothing and fires nothing; a check's events
 *   are handed on (WatchRequest.deliver) before the state that marks them fired is saved.
 * - The saved state names the process that wrote it; the first check of another process (after a
 *   restart) reads the connection traces that can reveal a change the saved state missed
 *   (restart-reconcile.ts).
 */
import { randomUUID } from 'node:crypto';
import { abortedError } from '../base/abort';
import { ownValue } from '../base/own-keys';
import type { OnsMqttClient } from '../client/client';
import type { OfflineDetailsOptions, QueryMode } from '../base/results';
import { checkFleet, type FleetCheckResult } from './fleet-check';
import type { WatchOptions, WatchState } from './transition';
import {
  acknowledgeAlarm,
  clearAlarm,
  isAlarmBook,
  listAlarms,
  type Alarm,
  type AlarmCommand,
  type AlarmEvent,
} from './alarms';
import { availabilityReport, reportWindow, type AvailabilityReport, type ReportRequest } from './report';
import type { DeviceHistory } from './history';
import { readTraceHistory } from './trace-report';

/** What a watcher keeps between checks and across restarts: plain JSON. */
export interface SavedWatch {
  state?: WatchState;
  override?: { clientIds: string[]; replaces: string[] };
}

export interface WatchStore {
  load(): Promise<SavedWatch | undefined>;
  save(saved: SavedWatch): Promise<void>;
}

export interface WatchRequest {
  /** Replaces the configured list from now on (until the configured list itself changes). */
  clientIds?: string[];
  instanceId?: string;
  /**
   * Hands the check's events on (a Node-RED send). Called once per check, by the first request of
   * the check that has one, before the state that marks the events fired is saved: a stop or a
   * crash in between gives the events again at the next check, never loses them.
   */
  deliver?: (result: WatchCheckResult) => void | Promise<void>;
  /**
   * Push presence: query only these devices (the others keep their state). Requests served by one
   * check share it: the check is partial only when every one of them is, over the union of devices.
   */
  only?: string[];
  /** Push presence without confirmation: these devices as push saw them, not queried. */
  observed?: Record<string, boolean>;
  /**
   * Watches these devices too from now on ("every device of the group": the ones push tells of),
   * kept with the list like one sent with a request.
   */
  add?: string[];
}

export interface FleetWatcherOptions {
  client: () => OnsMqttClient;
  instanceId: string;
  clientIds: string[];
  mode?: QueryMode;
  options: WatchOptions;
  store: WatchStore;
  now?: () => number;
  signal?: AbortSignal;
  /** Names this process in the saved state (tests give one to play a restart). */
  processId?: string;
  /** Offline events and incident devices carry why and since when (one trace query per device). */
  offlineDetails?: boolean | OfflineDetailsOptions;
  /** Each check's result carries a fleet summary. */
  summary?: boolean;
}

/** One per process: a saved state written by another one was saved before a restart. */
const THIS_PROCESS = randomUUID();

export type WatchCheckResult = FleetCheckResult & { clientIds: string[]; instanceId: string };

interface Waiter {
  request: WatchRequest;
  resolve: (result: WatchCheckResult) => void;
  reject: (error: unknown) => void;
}

/** Work on the saved state other than a check (an alarm operation): in turn with the checks. */
interface Task {
  run: () => Promise<void>;
}

/** What an alarm operation did: the alarm as it is now, and the change it made (none: it was so already). */
export interface AlarmCommandResult {
  action: AlarmCommand['action'];
  /** acknowledge, clear: the alarm (undefined: no alarm has this key). */
  alarm?: Alarm;
  /** acknowledge, clear: the change, handed on before it was saved; absent when there was none. */
  event?: AlarmEvent;
  /** list: the alarms that match, newest first. */
  alarms?: Alarm[];
}

/** Trace fill-in: at most this many days before the watcher's record, one query per device and day. */
export const MAX_TRACE_FILL_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

export class FleetWatcher {
  private running: Promise<void> | undefined;
  private queue: Array<Waiter | Task> = [];

  constructor(private readonly config: FleetWatcherOptions) {}

  /** Whether a check is in progress now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Asks for a check. Resolves with the result of the check that served this request; rejects
   * with that check's error (the saved state is then left as it was).
   */
  check(request: WatchRequest = {}): Promise<WatchCheckResult> {
    return new Promise<WatchCheckResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running) this.running = this.drain();
    });
  }

  /**
   * Acknowledges, clears or lists alarms, in turn with the checks (never between a check's load and
   * its save, which would lose one of the two). A change is handed on (`deliver`) before it is saved.
   */
  alarm(command: AlarmCommand, deliver?: (event: AlarmEvent) => void | Promise<void>): Promise<AlarmCommandResult> {
    return new Promise<AlarmCommandResult>((resolve, reject) => {
      this.queue.push({
        run: () => this.runAlarm(command, deliver).then(resolve, reject),
      });
      if (!this.running) this.running = this.drain();
    });
  }

  /**
   * The availability report from the saved state. With `trace`, the part of the window before a
   * device's record starts is filled in from its connection trace (one query per device and day,
   * at most 30 days, through the client's limits); a trace that cannot be read leaves it unknown.
   */
  async report(
    request: ReportRequest,
    options: { trace?: boolean; traceTimeZone?: string } = {},
  ): Promise<AvailabilityReport> {
    const nowMs = (this.config.now ?? Date.now)();
    const window = reportWindow(request.window, nowMs); // a bad window fails before any request
    const saved = await this.config.store.load();
    const fromTrace = options.trace
      ? await this.traceHistories(saved?.state, window, request.devices, options.traceTimeZone)
      : undefined;
    return availabilityReport(saved?.state, request, nowMs, fromTrace);
  }

  private async traceHistories(
    state: WatchState | undefined,
    window: { from: number; to: number },
    only: readonly string[] | undefined,
    traceTimeZone: string | undefined,
  ): Promise<Map<string, DeviceHistory>> {
    const histories = new Map<string, DeviceHistory>();
    if (!state) return histories;
    const client = this.config.client();
    const wanted = only && only.length > 0 ? new Set(only) : undefined;
    await Promise.all(
      Object.entries(state.devices).map(async ([clientId, device]) => {
        if (wanted && !wanted.has(clientId) && !wanted.has(clientId.split('@@@')[0])) return;
        const record = state.health ? ownValue(state.health, clientId) : undefined;
        const recordFrom = record ? record.history.from : Date.parse(device.since);
        const to = Math.min(recordFrom, window.to);
        const from = Math.max(window.from, to - MAX_TRACE_FILL_DAYS * DAY_MS);
        if (to <= from) return;
        try {
          const history = await readTraceHistory(
            client,
            { clientId, instanceId: state.instanceId, from, to },
            { traceTimeZone, signal: this.config.signal },
          );
          if (history) histories.set(clientId, history);
        } catch {
          // The trace is an addition: without it, that time stays unknown (the report says the source).
        }
      }),
    );
    return histories;
  }

  private async runAlarm(
    command: AlarmCommand,
    deliver: ((event: AlarmEvent) => void | Promise<void>) | undefined,
  ): Promise<AlarmCommandResult> {
    const saved = (await this.config.store.load()) ?? {};
    const book = saved.state && isAlarmBook(saved.state.alarms) ? { ...saved.state.alarms } : {};
    if (command.action === 'list') return { action: 'list', alarms: listAlarms(book, command.filter) };
    const nowMs = (this.config.now ?? Date.now)();
    const key = command.key ?? '';
    const by = command.by ?? 'user';
    const done =
      command.action === 'acknowledge' ? acknowledgeAlarm(book, key, by, nowMs) : clearAlarm(book, key, by, nowMs);
    if (done.event && saved.state) {
      await deliver?.(done.event);
      await this.config.store.save({ ...saved, state: { ...saved.state, alarms: book } });
    }
    return {
      action: command.action,
      ...(done.alarm ? { alarm: done.alarm } : {}),
      ...(done.event ? { event: done.event } : {}),
    };
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        // Alarm operations first, in the order they came; then one check serves every check request.
        for (const task of batch) if ('run' in task) await task.run();
        const checks = batch.filter((w): w is Waiter => !('run' in w));
        if (checks.length === 0) continue;
        try {
          const result = await this.runOnce(checks.map((w) => w.request));
          for (const waiter of checks) waiter.resolve(result);
        } catch (error) {
          for (const waiter of checks) waiter.reject(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async runOnce(requests: WatchRequest[]): Promise<WatchCheckResult> {
    const saved = (await this.config.store.load()) ?? {};
    const configured = this.config.clientIds;
    let override = saved.override && sameList(saved.override.replaces, configured) ? saved.override : undefined;
    // The latest list sent with a request wins; an instance given with a request applies to it only.
    const sentList = [...requests].reverse().find((r) => r.clientIds !== undefined)?.clientIds;
    if (sentList) {
      override = { clientIds: sentList, replaces: [...configured] };
      // Kept even if this check fails: the list was given once and is not lost with the check.
      await this.config.store.save({ ...(saved.state ? { state: saved.state } : {}), override });
    }
    const base = override ? override.clientIds : configured;
    const known = new Set(base);
    const added = [...new Set(requests.flatMap((r) => r.add ?? []))].filter((id) => !known.has(id));
    if (added.length > 0) override = { clientIds: [...base, ...added], replaces: [...configured] };
    const instanceId = (
      [...requests].reverse().find((r) => r.instanceId !== undefined)?.instanceId ?? this.config.instanceId
    ).trim();
    const clientIds = override ? override.clientIds : configured;
    const processId = this.config.processId ?? THIS_PROCESS;
    const result = await checkFleet(
      this.config.client(),
      { instanceId, clientIds, mode: this.config.mode },
      saved.state,
      this.config.options,
      {
        now: this.config.now,
        signal: this.config.signal,
        afterRestart: saved.state !== undefined && saved.state.process !== processId,
        offlineDetails: this.config.offlineDetails,
        summary: this.config.summary,
        ...partialOf(requests),
      },
    );
    result.state.process = processId;
    const checked: WatchCheckResult = { ...result, clientIds, instanceId };
    // Stopped after the queries but before the events went out: they must not be marked fired.
    if (this.config.signal?.aborted) throw abortedError(this.config.signal);
    await requests.find((r) => r.deliver)?.deliver?.(checked);
    await this.config.store.save(override ? { state: result.state, override } : { state: result.state });
    return checked;
  }
}

/** The devices a batch of requests asks for: all (a full check) unless every request names some. */
function partialOf(requests: readonly WatchRequest[]): { only?: Set<string>; observed?: Map<string, boolean> } {
  if (requests.some((r) => r.only === undefined && r.observed === undefined)) return {};
  const only = new Set(requests.flatMap((r) => r.only ?? []));
  const observed = new Map<string, boolean>();
  for (const r of requests) for (const [id, online] of Object.entries(r.observed ?? {})) observed.set(id, online);
  // A device someone wants confirmed by a query is queried, whatever push said.
  for (const id of only) observed.delete(id);
  return { only: new Set([...only, ...observed.keys()]), observed };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
