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
import type { OnsMqttClient } from '../client/client';
import type { OfflineDetailsOptions, QueryMode } from '../base/results';
import { checkFleet, type FleetCheckResult } from './fleet-check';
import type { WatchOptions, WatchState } from './transition';

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

export class FleetWatcher {
  private running: Promise<void> | undefined;
  private queue: Waiter[] = [];

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

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const result = await this.runOnce(batch.map((w) => w.request));
          for (const waiter of batch) waiter.resolve(result);
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
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
