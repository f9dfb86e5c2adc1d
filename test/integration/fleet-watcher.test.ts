/**
 * The watcher both hosts use, against the emulator: one check at a time with overlapping requests
 * coalesced, and an override list that gives way when the configured list changes (the redeploy of
 * an edited node, whose context store kept the old override).
 */
import type { RunningEmulator } from '../../emulator';
import { DEFAULT_WATCH_OPTIONS, FleetWatcher, type SavedWatch, type WatchStore } from '../../lib';
import { clientFor, emulatorWithSentinel } from '../helpers/emulator';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttPort: false });
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

/** A store that outlives the watcher, as a persistent context store outlives a redeploy. */
function memoryStore(): WatchStore & { saved: SavedWatch | undefined } {
  const store = {
    saved: undefined as SavedWatch | undefined,
    load: async () => (store.saved ? JSON.parse(JSON.stringify(store.saved)) : undefined),
    save: async (s: SavedWatch) => void (store.saved = JSON.parse(JSON.stringify(s))),
  };
  return store;
}

const watcherFor = (store: WatchStore, clientIds: string[]) =>
  new FleetWatcher({ client: () => clientFor(emu), instanceId: INSTANCE, clientIds, options: { ...DEFAULT_WATCH_OPTIONS, reportInitialOffline: true }, store });
const checkedIds = () => [...new Set(emu.requestLog().flatMap((e) => e.clientIds))].sort();

describe('FleetWatcher', () => {
  it('five overlapping requests: two checks (the running one, then one for all that waited), events once', async () => {
    emu.setFaults({ latencyMs: 200 });
    const watcher = watcherFor(memoryStore(), ['GID_w@@@1', 'GID_w@@@2']);
    const results = await Promise.all(Array.from({ length: 5 }, () => watcher.check()));
    expect(emu.requestLog()).toHaveLength(4); // 2 checks x 2 devices
    // The four that waited share one result: the very same object, not merely an equal one.
    for (const result of results.slice(2)) expect(result).toBe(results[1]);
    expect(results[1]).not.toBe(results[0]);
    expect(results[0].events.map((e) => e.clientId).sort()).toEqual(['GID_w@@@1', 'GID_w@@@2']);
    expect(results[1].events).toEqual([]); // the second check reads the first one's state: no repeat
  });

  it('an override list is kept across checks, and dropped once the configured list changes', async () => {
    const store = memoryStore();
    await watcherFor(store, ['GID_cfg@@@a']).check({ clientIds: ['GID_sent@@@x'] });
    expect(checkedIds()).toEqual(['GID_sent@@@x']);
    emu.clearLog();
    await watcherFor(store, ['GID_cfg@@@a']).check(); // same configuration (a restart): the override holds
    expect(checkedIds()).toEqual(['GID_sent@@@x']);
    emu.clearLog();
    await watcherFor(store, ['GID_cfg@@@a', 'GID_cfg@@@b']).check(); // the user edited the list and redeployed
    expect(checkedIds()).toEqual(['GID_cfg@@@a', 'GID_cfg@@@b']);
    expect(store.saved?.override).toBeUndefined();
  });

  it('a failed check keeps the saved state and the override that came with it', async () => {
    const store = memoryStore();
    const watcher = watcherFor(store, ['GID_cfg@@@a']);
    await watcher.check();
    const before = store.saved?.state;
    emu.setFaults({ errors: [{ code: 'ParameterCheckFailed' }] });
    await expect(watcher.check({ clientIds: ['GID_sent@@@y'] })).rejects.toMatchObject({ code: 'ParameterCheckFailed' });
    expect(store.saved?.state).toEqual(before);
    expect(store.saved?.override).toEqual({ clientIds: ['GID_sent@@@y'], replaces: ['GID_cfg@@@a'] });
  });
});
