import {
  alarmCommandFrom,
  every,
  later,
  claimEvery,
  reportJson,
  reportSvg,
  describeError,
  deviceMessageFields,
  FleetWatcher,
  healthSettingsFrom,
  invalidInput,
  leadershipFor,
  ownValue,
  parentTopicsFrom,
  parseClientIdList,
  pushDevicesFrom,
  pushGroupIdsFrom,
  pushLoginFrom,
  PushWatch,
  summarize,
  watchOptionsFrom,
  OnsMqttError,
  type QueryMode,
  type SavedWatch,
  type WatchCheckResult,
  type WatchLeadership,
  type WatchOptions,
  type WatchState,
  type ReportRequest,
} from '../../../lib/internal';
import type { ConfigNode } from '../config-options';
import { migrateSavedOverride } from '../migrations';
import {
  asOnsMqttError,
  attachError,
  catchableError,
  clientFactory,
  PendingWork,
  shortText,
  type QueryOptionsDef,
} from '../runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from '../types';

export interface WatchDef extends NodeDef, QueryOptionsDef {
  config?: string;
  instanceId?: string;
  clientIds?: string;
  mode?: QueryMode;
  interval?: number | string;
  eventOffline?: boolean;
  eventOnline?: boolean;
  offlineMinutes?: number | string;
  onlineMinutes?: number | string;
  reportInitial?: boolean;
  offlineDetails?: boolean;
  stormDevices?: number | string;
  stormPercent?: number | string;
  resolvePercent?: number | string;
  summary?: boolean;
  /** poll (default): check every interval; push: the service's status notifications too. */
  source?: 'poll' | 'push';
  groupIds?: string;
  pushEndpoint?: string;
  pushConfirm?: boolean;
  /** Push: the listed Client IDs (default), or every device of the groups. */
  devices?: string;
  /** Push: parent topics whose device messages go to output 5. */
  parentTopics?: string;
  store?: string;
  /** Fleet health: flapping held back, with thresholds in percent (empty: Nagios's 20 and 5). */
  flapping?: boolean;
  flapHigh?: number | string;
  flapLow?: number | string;
  /** Alarms with a life: severity rules. */
  alarms?: boolean;
  alarmSeverity?: string;
  criticalDevices?: string;
  majorAfterMinutes?: number | string;
  criticalAfterMinutes?: number | string;
  /** Error budgets: "99.5", or group=percent lines; the window in days; the burn rate that alerts. */
  budgetTargets?: string;
  budgetWindowDays?: number | string;
  burnRateAlert?: number | string;
}

/** What an input message asks for with `msg.action` (none: a check). */
export const WATCH_ACTIONS = ['acknowledge', 'clear', 'alarms', 'report'] as const;

/** Checking more often than this gains nothing and costs requests (each check is one per device). */
export const MIN_INTERVAL_SECONDS = 5;
const STATE_KEY = 'watch';
const LIST_KEY = 'watchList';

type Failure = { error: Error; detail: OnsMqttError };

/**
 * The watch node's work, over the node and its settings: checks a fleet on its own interval or on
 * each input message, and sends one message per device that went offline (output 1) or came back
 * online (output 2); with storm protection, one incident message (output 3) instead of one per
 * device when many drop at once; with the summary on, one message per check (output 4); by push,
 * device messages of parent topics (output 5). State lives in the node context, so with a
 * persistent context store a restart fires nothing new.
 *
 * When the config node names a Redis (the shared limit), the instances that run this same node
 * (same node id: the same flows deployed on each) elect one leader there: only it checks and
 * fires, and the state lives in Redis, so whoever leads next continues from it.
 */
export class FleetWatchNode {
  private readonly getClient: ReturnType<typeof clientFactory>;
  private readonly work = new PendingWork();
  private readonly watcher: FleetWatcher;
  private readonly configuredIds: string[];
  private readonly leadership: WatchLeadership | undefined;
  private sharedDownReported = false;
  private stopTicking: (() => void) | undefined;
  private cancelFirst: (() => void) | undefined;
  private cancelPushFirst: (() => void) | undefined;
  private push: PushWatch | undefined;
  private stopClaiming: (() => void) | undefined;
  /** A fleet-health setting that could not be read (a budget target): every check and action reports it. */
  private readonly settingsError: OnsMqttError | undefined;
  private readonly watcherOptions: WatchOptions;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly def: WatchDef,
  ) {
    this.getClient = clientFactory(RED, def.config, def);
    const groupPush = def.source === 'push' && pushDevicesFrom(def.devices) === 'group';
    const settings = {
      offline: def.eventOffline !== false,
      online: def.eventOnline !== false,
      offlineForMinutes: def.offlineMinutes,
      onlineForMinutes: def.onlineMinutes,
      // Every device of the groups: a device first heard of when it drops is a drop...
      reportInitialOffline: def.reportInitial || groupPush,
      // ...and one first heard of when it connects came online.
      reportInitialOnline: groupPush,
      storm: { minDevices: def.stormDevices, minPercent: def.stormPercent, resolvePercent: def.resolvePercent },
      ...healthSettingsFrom(def),
    };
    let options: WatchOptions;
    try {
      options = watchOptionsFrom(settings);
    } catch (caught) {
      // Refused when the node starts; reported with every check, so that Catch and the status say it.
      this.settingsError = asOnsMqttError(caught);
      options = watchOptionsFrom({ ...settings, budgets: undefined });
    }
    this.configuredIds = parseClientIdList(def.clientIds);
    this.leadership = electionFor(RED, node, def);
    this.watcherOptions = options;
    this.watcher = new FleetWatcher({
      client: this.getClient,
      instanceId: String(def.instanceId ?? ''),
      clientIds: this.configuredIds,
      mode: def.mode === 'batch' ? 'batch' : 'exact',
      options,
      offlineDetails: def.offlineDetails === true,
      summary: def.summary === true,
      signal: this.work.signal,
      store: this.leadership ? this.leadership.store : this.contextStore(def.store || undefined),
    });
  }

  /** The node's own context (or the named store) as the watcher's store. */
  private contextStore(store: string | undefined) {
    const context = this.node.context();
    const get = (key: string) =>
      new Promise<unknown>((resolve, reject) =>
        context.get(key, store, (err, value) => (err ? reject(err) : resolve(value))),
      );
    const set = (key: string, value: unknown) =>
      new Promise<void>((resolve, reject) => context.set(key, value, store, (err) => (err ? reject(err) : resolve())));
    return {
      load: async () => ({
        state: (await get(STATE_KEY)) as WatchState | undefined,
        override: migrateSavedOverride(await get(LIST_KEY)),
      }),
      save: async (saved: SavedWatch) => {
        await set(STATE_KEY, saved.state);
        await set(LIST_KEY, saved.override);
      },
    };
  }

  /**
   * An input message: a check now (its list and instance, if it has them), or with `msg.action` an
   * alarm operation or a report; failures to Catch once.
   */
  input(msg: NodeMessage, send: SendFn, done: DoneFn): void {
    void this.work
      .track(msg.action === undefined ? this.check(msg, send) : this.act(msg, send))
      .then((failure) => (failure ? done(failure.error) : done()))
      .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  }

  /** Starts the timed checks and, by push, the subscription (after the flow has started). */
  start(): void {
    const seconds = Number(this.def.interval);
    if (seconds > 0) {
      const periodMs = Math.max(MIN_INTERVAL_SECONDS, seconds) * 1000;
      const tick = () => {
        if (this.watcher.busy) return; // the previous check is still going: skip a tick rather than pile up
        void this.work.track(this.check(undefined, (m) => this.node.send(m as NodeMessage))).then((failure) => {
          // Without an input message, Catch still gets the failure once through node.error(err, msg).
          if (failure) this.reportWithoutInput(failure.error, failure.detail);
        });
      };
      this.stopTicking = every(periodMs, tick);
      this.cancelFirst = later(100, tick);
    }
    if (this.def.source !== 'push') return;
    // Once the flow has started (as the first poll does): a setting refused now reaches Catch.
    // With several instances (a shared limit), only the leader subscribes: the lease is claimed
    // every few seconds.
    if (!this.leadership) this.cancelPushFirst = later(100, () => this.startPush());
    else {
      this.stopClaiming = claimEvery(
        async () => (await this.leads(undefined)).leads,
        async (leading) => {
          if (leading) this.startPush();
          else if (this.push) {
            const stopping = this.push;
            this.push = undefined;
            await stopping.stop();
          }
        },
      );
    }
  }

  async close(): Promise<void> {
    this.stopTicking?.();
    this.cancelFirst?.();
    this.stopClaiming?.();
    this.cancelPushFirst?.();
    await this.push?.stop();
    await this.work.close();
    await this.leadership?.close();
    this.node.status({});
  }

  /** With several instances: whether this one leads now (a status says so when it does not). */
  private async leads(msg: NodeMessage | undefined): Promise<{ leads: boolean; failure?: Failure }> {
    const { node, RED } = this;
    if (!this.leadership) return { leads: true };
    try {
      const won = await this.leadership.claim();
      this.sharedDownReported = false;
      if (!won) node.status({ fill: 'grey', shape: 'ring', text: RED._('alicloud-mqtt-watch.status.standby') });
      return { leads: won };
    } catch (caught) {
      const error = asOnsMqttError(caught);
      node.status({ fill: 'red', shape: 'ring', text: shortText(error.code) });
      if (msg) {
        attachError(msg, error);
        return { leads: false, failure: { error: catchableError(error), detail: error } };
      }
      if (!this.sharedDownReported) node.warn(describeError(error));
      this.sharedDownReported = true;
      return { leads: false };
    }
  }

  /**
   * `msg.action`: acknowledge or clear an alarm (`msg.payload` its key, or `{ key, by }`): the
   * message leaves by output 3 with the alarm; `alarms` lists them (`msg.payload` a filter) and
   * `report` gives the availability report (`msg.payload` `{ window, from, to, devices, trace }`),
   * both by output 4. One message out per message in; a bad one goes to Catch saying what to do.
   */
  private async act(msg: NodeMessage, send: SendFn): Promise<Failure | undefined> {
    const fail = (caught: unknown): Failure => {
      const error = asOnsMqttError(caught);
      attachError(msg, error);
      return { error: catchableError(error), detail: error };
    };
    const action = msg.action;
    if (!(WATCH_ACTIONS as readonly unknown[]).includes(action))
      return fail(
        invalidInput(
          'msg.action',
          `"${String(action)}" is not an action of the watch node: use ${WATCH_ACTIONS.map((a) => `"${a}"`).join(', ')}, or send no msg.action for a check.`,
        ),
      );
    if (this.settingsError) return fail(this.settingsError);
    const payload: Record<string, unknown> =
      msg.payload !== null && typeof msg.payload === 'object' && !Array.isArray(msg.payload)
        ? (msg.payload as Record<string, unknown>)
        : {};
    const out = (topic: string, fields: Record<string, unknown>): NodeMessage => ({ ...msg, topic, ...fields });
    try {
      if (action === 'report') {
        const request: ReportRequest = {
          window: (payload.from !== undefined || payload.to !== undefined
            ? { from: payload.from, to: payload.to }
            : (payload.window ?? 'day')) as ReportRequest['window'],
          devices: payload.devices === undefined ? undefined : parseClientIdList(payload.devices),
          budgets: this.watcherOptions.budgets,
          timelines: true,
        };
        const report = await this.watcher.report(request, { trace: payload.trace === true });
        const svg = reportSvg(report);
        send([
          null,
          null,
          null,
          out('report', {
            payload: svg,
            report: reportJson(report),
            contentType: 'image/svg+xml',
            filename: 'availability.svg',
          }),
          null,
        ]);
        return undefined;
      }
      if (action === 'alarms') {
        const status = payload.status === 'active' || payload.status === 'cleared' ? payload.status : 'all';
        const listed = await this.watcher.alarm({
          action: 'list',
          filter: {
            status,
            ...(typeof payload.acknowledged === 'boolean' ? { acknowledged: payload.acknowledged } : {}),
            ...(typeof payload.source === 'string' ? { source: payload.source } : {}),
          },
        });
        send([null, null, null, out('alarms', { payload: listed.alarms ?? [] }), null]);
        return undefined;
      }
      const command = alarmCommandFrom(action, {
        key: typeof msg.payload === 'string' ? msg.payload : payload.key,
        by: payload.by,
      });
      // With several instances, only the leader writes the watch's state: a standby one refuses
      // before anything leaves, rather than hand on a change its save would then lose.
      const leader = await this.leads(msg);
      if (leader.failure) return leader.failure;
      if (!leader.leads)
        throw new OnsMqttError({
          code: 'LeadershipLost',
          message: `This instance is on standby (another one leads this watch): send "${command.action}" to the leading instance, or again in a few seconds.`,
          errorClass: 'retry',
        });
      // The answer leaves once the change is saved: a save that fails goes to Catch instead, so
      // the message ends in exactly one output (an acknowledgement never seems made when it was not).
      const result = await this.watcher.alarm(command);
      if (!result.alarm)
        throw invalidInput(
          'alarmKey',
          `no alarm has the key "${command.key}": list them with msg.action "alarms" (cleared alarms are kept 7 days).`,
        );
      const answer = result.event ?? { event: 'alarm', change: 'none', alarm: result.alarm };
      send([null, null, out('alarm', { payload: answer }), null, null]);
      return undefined;
    } catch (caught) {
      return fail(caught);
    }
  }

  /** One requested check (coalesced with others that overlap). Resolves with the failure to report, if any; never rejects. */
  private async check(msg: NodeMessage | undefined, send: SendFn): Promise<Failure | undefined> {
    const { node, RED } = this;
    if (this.settingsError) {
      node.status({ fill: 'red', shape: 'ring', text: shortText(this.settingsError.code) });
      if (msg) attachError(msg, this.settingsError);
      return { error: catchableError(this.settingsError), detail: this.settingsError };
    }
    const leader = await this.leads(msg);
    if (!leader.leads) return leader.failure; // another instance checks and fires
    node.status({ fill: 'blue', shape: 'ring', text: RED._('alicloud-mqtt-watch.status.checking') });
    let result: WatchCheckResult;
    try {
      result = await this.watcher.check({
        clientIds: msg && Array.isArray(msg.payload) ? parseClientIdList(msg.payload) : undefined,
        instanceId: typeof msg?.instanceId === 'string' ? msg.instanceId : undefined,
        // Sent before the state that marks them fired is saved (a stop in between repeats them).
        deliver: (checked) => this.deliver(checked, msg, send),
      });
    } catch (caught) {
      const error = asOnsMqttError(caught);
      if (error.code === 'Aborted') return undefined; // closing: nothing to report
      if (error.code === 'LeadershipLost') {
        node.status({ fill: 'grey', shape: 'ring', text: RED._('alicloud-mqtt-watch.status.standby') });
        return undefined; // the new leader reports what this check saw
      }
      node.status({ fill: 'red', shape: 'ring', text: shortText(error.code) });
      if (msg) attachError(msg, error);
      return { error: catchableError(error), detail: error };
    }
    this.showCounts(result);
    if (result.failures.length > 0) {
      const first = result.failures[0].error;
      const error = catchableError(first);
      error.message = `${result.failures.length} of ${result.clientIds.length} devices could not be checked (state kept, no event): ${describeError(first)}`;
      if (msg) attachError(msg, first);
      return { error, detail: first };
    }
    return undefined;
  }

  /** The status after a check: counts, or the incident. */
  private showCounts(result: WatchCheckResult): void {
    const counts = summarize(result.state);
    const incident = result.state.incident;
    // Falls back to English where no message catalog is loaded (e.g. in the test helper).
    const text = incident
      ? translate(
          this.RED,
          'alicloud-mqtt-watch.status.incident',
          incidentCounts(result.state),
          (c) => `incident: ${c.offline} of ${c.devices} offline`,
        )
      : translate(
          this.RED,
          'alicloud-mqtt-watch.status.counts',
          counts,
          (c) => `${c.online} online / ${c.offline} offline`,
        );
    this.node.status({
      fill: incident ? 'red' : result.failures.length ? 'yellow' : counts.offline ? 'grey' : 'green',
      shape: 'dot',
      text,
    });
  }

  /** A check's events, incidents and summary: once per check, by the first request it served. */
  private deliver(result: WatchCheckResult, msg: NodeMessage | undefined, send: SendFn): void {
    const { RED } = this;
    // Each message copies the input without its payload (a list of N ids: N copies would be O(N²)).
    const template: NodeMessage = msg ? RED.util.cloneMessage({ ...msg, payload: undefined }) : {};
    const message = (topic: string, payload: unknown): NodeMessage => ({
      ...RED.util.cloneMessage(template),
      topic,
      payload,
    });
    for (const event of result.events) {
      const out = message(event.clientId, event);
      send(event.event === 'offline' ? [out, null, null, null, null] : [null, out, null, null, null]);
    }
    for (const incident of result.incidents) send([null, null, message(incident.event, incident), null, null]);
    // Flapping, alarm changes no event carries, budget alerts: beside the incidents.
    for (const notice of result.health) send([null, null, message(notice.event, notice), null, null]);
    if (result.summary) send([null, null, null, message('summary', result.summary), null]);
    if (result.reconciled && result.reconciled.failed.length > 0) {
      this.node.warn(
        `After the restart, the connection trace of ${result.reconciled.failed.join(', ')} could not be read: a change the saved state missed may go unreported.`,
      );
    }
  }

  /** A failure of the node's own (a timed check, the subscription): Catch gets it once, through node.error(err, msg). */
  private reportWithoutInput(error: Error, detail: OnsMqttError): void {
    this.node.error(error, attachError({ topic: 'alicloud-mqtt-watch', payload: null }, detail));
  }

  /**
   * Push presence: the service's status notifications feed the same watcher (same outputs, same
   * fields); the interval keeps polling as the safety net.
   */
  private startPush(): void {
    const { node, RED, def } = this;
    if (this.push) return;
    try {
      this.getClient(); // a missing or broken config node says so, as for every query
      const config = RED.nodes.getNode(String(def.config)) as ConfigNode;
      const instanceId = String(def.instanceId ?? '').trim();
      const devices = pushDevicesFrom(def.devices);
      const parentTopics = parentTopicsFrom(def.parentTopics);
      // A flow deployed without the fifth output (edited outside the editor) would receive and
      // acknowledge device messages that go nowhere: refuse instead, saying what to do.
      if (parentTopics.length > 0 && (Array.isArray(def.wires) ? def.wires.length : 0) < 5) {
        throw invalidInput(
          'parentTopics',
          'device messages leave by a fifth output, which this node does not have: open the node and press Done (or deploy it with outputs: 5).',
        );
      }
      const started = new PushWatch({
        watcher: this.watcher,
        clientIds: devices === 'group' ? 'group' : this.configuredIds,
        confirm: def.pushConfirm !== false,
        safetyPollMs: 0,
        subscription: {
          instanceId,
          groupIds: pushGroupIdsFrom(def.groupIds, devices === 'group' ? [] : this.configuredIds),
          ...pushLoginFrom(config.clientOptions(), def.pushEndpoint),
          parentTopics,
          // Output 5, the device's payload as msg.payload; acknowledged once sent.
          onMessage: (message) => node.send([null, null, null, null, { ...deviceMessageFields(instanceId, message) }]),
        },
        deliver: (result) => {
          this.deliver(result, undefined, (m) => node.send(m));
          this.showCounts(result);
        },
        onError: (error) => {
          const e = asOnsMqttError(error);
          if (e.code === 'Aborted' || e.code === 'LeadershipLost') return;
          node.status({
            fill: 'yellow',
            shape: 'ring',
            text: translate(RED, 'alicloud-mqtt-watch.status.pushLost', {}, () => 'push: reconnecting'),
          });
          node.warn(describeError(e));
        },
        onMalformed: (kind) =>
          node.warn(
            `A status notification that could not be read (${kind}) was skipped; further ones of this kind are only counted.`,
          ),
      });
      this.push = started;
      started.start().then(
        () =>
          node.status({
            fill: 'green',
            shape: 'ring',
            text: translate(RED, 'alicloud-mqtt-watch.status.subscribed', {}, () => 'subscribed (push)'),
          }),
        (error: unknown) => {
          const e = asOnsMqttError(error);
          this.reportWithoutInput(catchableError(e), e);
          // A refused login stopped the subscription; an endpoint out of reach is still being
          // tried (with backoff), and stays the node's to stop when the flow stops.
          if (!e.retryable) {
            node.status({ fill: 'red', shape: 'ring', text: shortText(e.code) });
            if (this.push === started) this.push = undefined;
          }
        },
      );
    } catch (caught) {
      const e = asOnsMqttError(caught);
      node.status({ fill: 'red', shape: 'ring', text: shortText(e.code) });
      this.reportWithoutInput(catchableError(e), e);
    }
  }
}

/** A catalogue message, or the English fallback where no catalogue is loaded (the test helper). */
function translate<T extends Record<string, number>>(
  RED: NodeAPI,
  key: string,
  values: T,
  english: (values: T) => string,
): string {
  const translated = RED._(key, values);
  return translated && translated !== key ? translated : english(values);
}

function incidentCounts(state: WatchState): { devices: number; offline: number } {
  const ids = Object.keys(state.incident?.devices ?? {});
  return { devices: ids.length, offline: ids.filter((id) => ownValue(state.devices, id)?.online === false).length };
}

/** The leader election of this node when its config node names a Redis; undefined otherwise. */
function electionFor(RED: NodeAPI, node: Node, def: WatchDef): WatchLeadership | undefined {
  const config = (
    typeof def.config === 'string' && def.config ? RED.nodes.getNode(def.config) : null
  ) as ConfigNode | null;
  const shared = config && typeof config.sharedLimit === 'function' ? config.sharedLimit() : undefined;
  if (!shared) return undefined;
  try {
    return leadershipFor(shared, def.id);
  } catch (error) {
    node.error(describeError(asOnsMqttError(error)));
    return undefined;
  }
}
