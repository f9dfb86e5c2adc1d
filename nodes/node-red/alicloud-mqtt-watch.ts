import {
  FleetWatcher,
  PushWatch,
  describeError,
  invalidInput,
  parseClientIdList,
  ownValue,
  summarize,
  type OnsMqttError,
  type QueryMode,
  type SavedWatch,
  type WatchCheckResult,
  type WatchOptions,
  type WatchState,
} from '../../lib';
import { claimEvery, leadershipFor, type WatchLeadership } from '../../lib/host/leadership';
import { watchOptionsFrom } from '../../lib/host/mapping';
import { deviceMessageFields, parentTopicsFrom, pushDevicesFrom, pushGroupIdsFrom, pushLoginFrom } from '../../lib/host/push';

import type { ConfigNode } from './config-options';
import { asOnsMqttError, attachError, catchableError, clientFactory, PendingWork, shortText, type QueryOptionsDef } from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './types';

interface WatchDef extends NodeDef, QueryOptionsDef {
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
}

/** Checking more often than this gains nothing and costs requests (each check is one per device). */
const MIN_INTERVAL_SECONDS = 5;
const STATE_KEY = 'watch';
const LIST_KEY = 'watchList';

/**
 * `alicloud-mqtt-watch`: checks a fleet on its own interval or on each input message, and sends
 * one message per device that went offline (output 1) or came back online (output 2); with storm
 * protection, one incident message (output 3) instead of one per device when many drop at once;
 * with the summary on, one message per check (output 4). State lives
 * in the node context, so with a persistent context store a restart fires nothing new.
 *
 * When the config node names a Redis (the shared limit), the instances that run this same node
 * (same node id: the same flows deployed on each) elect one leader there: only it checks and
 * fires, and the state lives in Redis, so whoever leads next continues from it.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-watch', function AlicloudMqttWatch(this: Node, def: WatchDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const store = def.store || undefined;
    const getClient = clientFactory(RED, def.config, def);
    const work = new PendingWork();
    const options: WatchOptions = watchOptionsFrom({
      offline: def.eventOffline !== false,
      online: def.eventOnline !== false,
      offlineForMinutes: def.offlineMinutes,
      onlineForMinutes: def.onlineMinutes,
      // Every device of the groups: a device first heard of when it drops is a drop.
      reportInitialOffline: def.reportInitial || (def.source === 'push' && pushDevicesFrom(def.devices) === 'group'),
      // Every device of the groups: a device first heard of when it connects came online.
      reportInitialOnline: def.source === 'push' && pushDevicesFrom(def.devices) === 'group',
      storm: { minDevices: def.stormDevices, minPercent: def.stormPercent, resolvePercent: def.resolvePercent },
    });
    const mode: QueryMode = def.mode === 'batch' ? 'batch' : 'exact';
    const context = node.context();
    const getCtx = (key: string) => new Promise<unknown>((resolve, reject) => context.get(key, store, (err, value) => (err ? reject(err) : resolve(value))));
    const setCtx = (key: string, value: unknown) =>
      new Promise<void>((resolve, reject) => context.set(key, value, store, (err) => (err ? reject(err) : resolve())));
    const configuredIds = parseClientIdList(def.clientIds);
    const leadership = electionFor(RED, node, def);
    const contextStore = {
      load: async () => {
        const state = (await getCtx(STATE_KEY)) as WatchState | undefined;
        const list = (await getCtx(LIST_KEY)) as SavedWatch['override'] | string[] | undefined;
        // A plain array is how 0.1.0 saved an override, without the list it replaced: ignored,
        // so that the configured list applies again.
        const override = list && !Array.isArray(list) ? list : undefined;
        return { state, override };
      },
      save: async (saved: SavedWatch) => {
        await setCtx(STATE_KEY, saved.state);
        await setCtx(LIST_KEY, saved.override);
      },
    };
    const watcher = new FleetWatcher({
      client: getClient,
      instanceId: String(def.instanceId ?? ''),
      clientIds: configuredIds,
      mode,
      options,
      offlineDetails: def.offlineDetails === true,
      summary: def.summary === true,
      signal: work.signal,
      store: leadership ? leadership.store : contextStore,
    });
    let sharedDownReported = false;

    /** With several instances: whether this one leads now (a status says so when it does not). */
    async function leads(msg: NodeMessage | undefined): Promise<{ leads: boolean; failure?: Failure }> {
      if (!leadership) return { leads: true };
      try {
        const won = await leadership.claim();
        sharedDownReported = false;
        if (!won) node.status({ fill: 'grey', shape: 'ring', text: RED._('alicloud-mqtt-watch.status.standby') });
        return { leads: won };
      } catch (caught) {
        const error = asOnsMqttError(caught);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.code) });
        if (msg) {
          attachError(msg, error);
          return { leads: false, failure: { error: catchableError(error), detail: error } };
        }
        if (!sharedDownReported) node.warn(describeError(error));
        sharedDownReported = true;
        return { leads: false };
      }
    }

    type Failure = { error: Error; detail: OnsMqttError };

    /** One requested check (coalesced with others that overlap). Resolves with the failure to report, if any; never rejects. */
    async function check(msg: NodeMessage | undefined, send: SendFn): Promise<Failure | undefined> {
      const leader = await leads(msg);
      if (!leader.leads) return leader.failure; // another instance checks and fires
      node.status({ fill: 'blue', shape: 'ring', text: RED._('alicloud-mqtt-watch.status.checking') });
      let result: WatchCheckResult;
      try {
        result = await watcher.check({
          clientIds: msg && Array.isArray(msg.payload) ? parseClientIdList(msg.payload) : undefined,
          instanceId: typeof msg?.instanceId === 'string' ? msg.instanceId : undefined,
          // Sent before the state that marks them fired is saved (a stop in between repeats them).
          deliver: (checked) => deliver(checked, msg, send),
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
      showCounts(result);
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
    function showCounts(result: WatchCheckResult): void {
      const counts = summarize(result.state);
      const incident = result.state.incident;
      // Falls back to English where no message catalog is loaded (e.g. in the test helper).
      const text = incident
        ? translate(RED, 'alicloud-mqtt-watch.status.incident', incidentCounts(result.state), (c) => `incident: ${c.offline} of ${c.devices} offline`)
        : translate(RED, 'alicloud-mqtt-watch.status.counts', counts, (c) => `${c.online} online / ${c.offline} offline`);
      node.status({ fill: incident ? 'red' : result.failures.length ? 'yellow' : counts.offline ? 'grey' : 'green', shape: 'dot', text });
    }

    /** A check's events, incidents and summary: once per check, by the first request it served. */
    function deliver(result: WatchCheckResult, msg: NodeMessage | undefined, send: SendFn): void {
      // Each message copies the input without its payload (a list of N ids: N copies would be O(N²)).
      const template: NodeMessage = msg ? RED.util.cloneMessage({ ...msg, payload: undefined }) : {};
      const message = (topic: string, payload: unknown): NodeMessage => ({ ...RED.util.cloneMessage(template), topic, payload });
      for (const event of result.events) {
        const out = message(event.clientId, event);
        send(event.event === 'offline' ? [out, null, null, null, null] : [null, out, null, null, null]);
      }
      for (const incident of result.incidents) send([null, null, message(incident.event, incident), null, null]);
      if (result.summary) send([null, null, null, message('summary', result.summary), null]);
      if (result.reconciled && result.reconciled.failed.length > 0) {
        node.warn(
          `After the restart, the connection trace of ${result.reconciled.failed.join(', ')} could not be read: a change the saved state missed may go unreported.`,
        );
      }
    }

    node.on('input', (msg, send, done: DoneFn) => {
      void work
        .track(check(msg, send))
        .then((failure) => (failure ? done(failure.error) : done()))
        .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    });

    /** A failure of the node's own (a timed check, the subscription): Catch gets it once, through node.error(err, msg). */
    const reportWithoutInput = (error: Error, detail: OnsMqttError) => node.error(error, attachError({ topic: 'alicloud-mqtt-watch', payload: null }, detail));

    const seconds = Number(def.interval);
    let timer: NodeJS.Timeout | undefined;
    let first: NodeJS.Timeout | undefined;
    if (seconds > 0) {
      const every = Math.max(MIN_INTERVAL_SECONDS, seconds) * 1000;
      const tick = () => {
        if (watcher.busy) return; // the previous check is still going: skip a tick rather than pile up
        void work.track(check(undefined, (m) => node.send(m as NodeMessage))).then((failure) => {
          // Without an input message, Catch still gets the failure once through node.error(err, msg).
          if (failure) reportWithoutInput(failure.error, failure.detail);
        });
      };
      timer = setInterval(tick, every);
      first = setTimeout(tick, 100);
    }

    // Push presence: the service's status notifications feed the same watcher (same outputs, same
    // fields); the interval above keeps polling as the safety net. With several instances (a shared
    // limit), only the leader subscribes: the lease is claimed every few seconds.
    let push: PushWatch | undefined;
    let stopClaiming: (() => void) | undefined;
    const startPush = () => {
      if (push) return;
      try {
        getClient(); // a missing or broken config node says so, as for every query
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
          watcher,
          clientIds: devices === 'group' ? 'group' : configuredIds,
          confirm: def.pushConfirm !== false,
          safetyPollMs: 0,
          subscription: {
            instanceId,
            groupIds: pushGroupIdsFrom(def.groupIds, devices === 'group' ? [] : configuredIds),
            ...pushLoginFrom(config.clientOptions(), def.pushEndpoint),
            parentTopics,
            // Output 5, the device's payload as msg.payload; acknowledged once sent.
            onMessage: (message) => node.send([null, null, null, null, { ...deviceMessageFields(instanceId, message) }]),
          },
          deliver: (result) => {
            deliver(result, undefined, (m) => node.send(m as NodeMessage));
            showCounts(result);
          },
          onError: (error) => {
            const e = asOnsMqttError(error);
            if (e.code === 'Aborted' || e.code === 'LeadershipLost') return;
            node.status({ fill: 'yellow', shape: 'ring', text: translate(RED, 'alicloud-mqtt-watch.status.pushLost', {}, () => 'push: reconnecting') });
            node.warn(describeError(e));
          },
          onMalformed: (kind) => node.warn(`A status notification that could not be read (${kind}) was skipped; further ones of this kind are only counted.`),
        });
        push = started;
        started.start().then(
          () => node.status({ fill: 'green', shape: 'ring', text: translate(RED, 'alicloud-mqtt-watch.status.subscribed', {}, () => 'subscribed (push)') }),
          (error: unknown) => {
            const e = asOnsMqttError(error);
            reportWithoutInput(catchableError(e), e);
            // A refused login stopped the subscription; an endpoint out of reach is still being
            // tried (with backoff), and stays the node's to stop when the flow stops.
            if (!e.retryable) {
              node.status({ fill: 'red', shape: 'ring', text: shortText(e.code) });
              if (push === started) push = undefined;
            }
          },
        );
      } catch (caught) {
        const e = asOnsMqttError(caught);
        node.status({ fill: 'red', shape: 'ring', text: shortText(e.code) });
        reportWithoutInput(catchableError(e), e);
      }
    };
    let pushFirst: NodeJS.Timeout | undefined;
    if (def.source === 'push') {
      // Once the flow has started (as the first poll does): a setting refused now reaches Catch.
      if (!leadership) pushFirst = setTimeout(startPush, 100);
      else {
        stopClaiming = claimEvery(
          async () => (await leads(undefined)).leads,
          async (leading) => {
            if (leading) startPush();
            else if (push) {
              const stopping = push;
              push = undefined;
              await stopping.stop();
            }
          },
        );
      }
    }

    node.on('close', (_removed, done) => {
      if (timer) clearInterval(timer);
      if (first) clearTimeout(first);
      stopClaiming?.();
      if (pushFirst) clearTimeout(pushFirst);
      void Promise.resolve(push?.stop())
        .then(() => work.close())
        .then(() => leadership?.close())
        .then(() => {
          node.status({});
          done();
        });
    });
  });
};

/** A catalogue message, or the English fallback where no catalogue is loaded (the test helper). */
function translate<T extends Record<string, number>>(RED: NodeAPI, key: string, values: T, english: (values: T) => string): string {
  const translated = RED._(key, values);
  return translated && translated !== key ? translated : english(values);
}

function incidentCounts(state: WatchState): { devices: number; offline: number } {
  const ids = Object.keys(state.incident?.devices ?? {});
  return { devices: ids.length, offline: ids.filter((id) => ownValue(state.devices, id)?.online === false).length };
}

/** The leader election of this node when its config node names a Redis; undefined otherwise. */
function electionFor(RED: NodeAPI, node: Node, def: WatchDef): WatchLeadership | undefined {
  const config = (typeof def.config === 'string' && def.config ? RED.nodes.getNode(def.config) : null) as ConfigNode | null;
  const shared = config && typeof config.sharedLimit === 'function' ? config.sharedLimit() : undefined;
  if (!shared) return undefined;
  try {
    return leadershipFor(shared, def.id);
  } catch (error) {
    node.error(describeError(asOnsMqttError(error)));
    return undefined;
  }
}
