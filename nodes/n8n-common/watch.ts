import type { IDataObject, IPollFunctions, ITriggerFunctions } from 'n8n-workflow';
import {
  FleetWatcher,
  healthSettingsFrom,
  watchOptionsFrom,
  type OnsMqttClient,
  type QueryMode,
  type SavedWatch,
  type WatchOptions,
  type WatchState,
} from '../../lib/portable';

/**
 * The fleet watcher of an n8n trigger, from the settings both triggers share (events, *Offline
 * For*, storm protection, offline details, summary), with its state in the workflow's static data:
 * the polling trigger and the Status Trigger set it up alike, so they give the same items.
 */
export function triggerWatcher(
  ctx: IPollFunctions | ITriggerFunctions,
  client: OnsMqttClient,
  fleet: { instanceId: string; clientIds: string[]; mode?: QueryMode },
  extra: {
    /** Every device of the groups (Status Trigger): a device first heard of when it drops is a drop, ... */
    reportInitialOffline?: boolean;
    /** ... and one first heard of when it connects came online. */
    reportInitialOnline?: boolean;
    /** Called after the state is put in the static data (which n8n saves when the trigger emits). */
    afterSave?: () => void;
  } = {},
): FleetWatcher & { options: WatchOptions } {
  const parameter = (name: string, fallback: unknown) =>
    (ctx.getNodeParameter as (n: string, f: unknown) => unknown)(name, fallback);
  const events = parameter('events', ['offline', 'online']) as string[];
  const health = parameter('health', {}) as IDataObject;
  const options = watchOptionsFrom({
    offline: events.includes('offline'),
    online: events.includes('online'),
    offlineForMinutes: parameter('offlineForMinutes', 0),
    onlineForMinutes: parameter('onlineForMinutes', 0),
    reportInitialOffline: extra.reportInitialOffline || parameter('reportInitialOffline', false),
    reportInitialOnline: extra.reportInitialOnline === true,
    storm: parameter('storm', {}) as IDataObject,
    ...healthSettingsFrom(health),
  });
  const staticData = ctx.getWorkflowStaticData('node');
  const watcher = new FleetWatcher({
    client: () => client,
    ...fleet,
    options,
    offlineDetails: parameter('offlineDetails', false) as boolean,
    summary: parameter('summary', false) as boolean,
    store: {
      load: async () => ({
        state: staticData.watch as WatchState | undefined,
        // The devices the Status Trigger learnt of (every device of the groups).
        ...(staticData.watchList ? { override: staticData.watchList as unknown as SavedWatch['override'] } : {}),
      }),
      save: async (saved) => {
        staticData.watch = saved.state as unknown as IDataObject;
        if (saved.override) staticData.watchList = saved.override as unknown as IDataObject;
        extra.afterSave?.();
      },
    },
  });
  return Object.assign(watcher, { options });
}
