import {
  parseClientIdList,
  summarize,
  transition,
  type Observation,
  type WatchEvent,
  type WatchOptions,
  type WatchState,
} from '../../lib/watch/transition';

const MIN = 60_000;
const T0 = Date.parse('2026-11-29T10:00:00Z');
const BASE: WatchOptions = {
  events: { offline: true, online: true },
  offlineAfterMs: 0,
  onlineAfterMs: 0,
  reportInitialOffline: false,
};

/** Run a sequence of checks (minute offsets and what each device looked like) through transition. */
function run(
  steps: Array<[minute: number, observations: Record<string, boolean | undefined>]>,
  options: Partial<WatchOptions> = {},
  instanceId = 'post-1',
) {
  let state: WatchState | undefined;
  const fired: Array<[number, string, WatchEvent['event']]> = [];
  const all: WatchEvent[] = [];
  for (const [minute, obs] of steps) {
    const observations: Observation[] = Object.entries(obs).map(([clientId, online]) => ({ clientId, online }));
    const result = transition(state, instanceId, observations, T0 + minute * MIN, { ...BASE, ...options });
    state = result.state;
    for (const e of result.events) fired.push([minute, e.clientId, e.event]);
    all.push(...result.events);
  }
  return { state: state!, fired, all };
}

describe('watch transition (pure, fake clock)', () => {
  it.each<
    [
      string,
      Array<[number, Record<string, boolean | undefined>]>,
      Partial<WatchOptions>,
      Array<[number, string, string]>,
    ]
  >([
    ['first check is a baseline: nothing fires', [[0, { a: true, b: false }]], {}, []],
    [
      'first check reports devices already offline when asked',
      [[0, { a: true, b: false }]],
      { reportInitialOffline: true },
      [[0, 'b', 'offline']],
    ],
    [
      'a device first seen online is reported when asked (a group watched by push), once',
      [
        [0, { a: true, b: false }],
        [1, { a: true, b: false }],
      ],
      { reportInitialOnline: true },
      [[0, 'a', 'online']],
    ],
    [
      'a drop fires once, not again while it stays offline',
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: false }],
        [15, { a: false }],
      ],
      {},
      [[5, 'a', 'offline']],
    ],
    [
      'coming back fires online',
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: true }],
      ],
      {},
      [
        [5, 'a', 'offline'],
        [10, 'a', 'online'],
      ],
    ],
    [
      'a blip shorter than the debounce fires nothing',
      [
        [0, { a: true }],
        [5, { a: false }],
        [6, { a: true }],
        [20, { a: true }],
      ],
      { offlineAfterMs: 10 * MIN },
      [],
    ],
    [
      'a long outage fires once the debounce has elapsed, since = first seen offline',
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: false }],
        [15, { a: false }],
        [20, { a: false }],
      ],
      { offlineAfterMs: 10 * MIN },
      [[15, 'a', 'offline']],
    ],
    [
      'flapping inside the debounce never fires',
      [
        [0, { a: true }],
        [1, { a: false }],
        [2, { a: true }],
        [3, { a: false }],
        [4, { a: true }],
        [5, { a: false }],
        [6, { a: true }],
      ],
      { offlineAfterMs: 2 * MIN },
      [],
    ],
    [
      'a failed check keeps state and fires nothing',
      [
        [0, { a: true }],
        [5, { a: undefined }],
        [10, { a: true }],
      ],
      {},
      [],
    ],
    [
      'a failed check between offline observations does not reset the debounce',
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: undefined }],
        [15, { a: false }],
      ],
      { offlineAfterMs: 10 * MIN },
      [[15, 'a', 'offline']],
    ],
    [
      'events not wanted are not fired, but state follows',
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: true }],
        [15, { a: false }],
      ],
      { events: { offline: false, online: true } },
      [[10, 'a', 'online']],
    ],
    [
      'coming back can be debounced too',
      [
        [0, { a: false }],
        [5, { a: true }],
        [6, { a: false }],
        [7, { a: true }],
        [9, { a: true }],
      ],
      { onlineAfterMs: 2 * MIN },
      [[9, 'a', 'online']],
    ],
    [
      'a device added later is a baseline of its own',
      [
        [0, { a: true }],
        [5, { a: true, b: false }],
        [10, { a: true, b: true }],
      ],
      {},
      [[10, 'b', 'online']],
    ],
  ])('%s', (_name, steps, options, expected) => {
    expect(run(steps, options).fired).toEqual(expected);
  });

  it('a device removed from the list forgets its state (and is a baseline again if it returns)', () => {
    const { state, fired } = run([
      [0, { a: true, b: true }],
      [5, { a: true }],
      [10, { a: true, b: false }],
    ]);
    expect(Object.keys(state.devices).sort()).toEqual(['a', 'b']);
    expect(fired).toEqual([]);
  });

  it('another instance starts from a fresh baseline', () => {
    const first = transition(undefined, 'post-1', [{ clientId: 'a', online: true }], T0, BASE);
    const other = transition(first.state, 'post-2', [{ clientId: 'a', online: false }], T0 + MIN, BASE);
    expect(other.events).toEqual([]);
    expect(other.state.instanceId).toBe('post-2');
  });

  it('event fields: since, previousOnline, checkedAt, offlineForMs', () => {
    const { all } = run(
      [
        [0, { a: true }],
        [5, { a: false }],
        [10, { a: false }],
        [30, { a: true }],
      ],
      { offlineAfterMs: 5 * MIN },
    );
    expect(all).toEqual([
      {
        clientId: 'a',
        instanceId: 'post-1',
        event: 'offline',
        online: false,
        previousOnline: true,
        since: new Date(T0 + 5 * MIN).toISOString(),
        checkedAt: new Date(T0 + 10 * MIN).toISOString(),
      },
      {
        clientId: 'a',
        instanceId: 'post-1',
        event: 'online',
        online: true,
        previousOnline: false,
        since: new Date(T0 + 30 * MIN).toISOString(),
        checkedAt: new Date(T0 + 30 * MIN).toISOString(),
        offlineForMs: 25 * MIN,
      },
    ]);
  });

  it('state is plain JSON and survives a round trip (persistent stores)', () => {
    const { state } = run(
      [
        [0, { a: true }],
        [5, { a: false }],
      ],
      { offlineAfterMs: 10 * MIN },
    );
    const restored = JSON.parse(JSON.stringify(state)) as WatchState;
    const next = transition(restored, 'post-1', [{ clientId: 'a', online: false }], T0 + 16 * MIN, {
      ...BASE,
      offlineAfterMs: 10 * MIN,
    });
    expect(next.events.map((e) => e.event)).toEqual(['offline']);
    expect(summarize(next.state)).toEqual({ online: 0, offline: 1 });
  });

  it('Client IDs named like Object.prototype members are devices like any other (quiet baseline, one event per change, saved)', () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const options = { ...BASE, storm: { minDevices: 0, minPercent: 100, resolvePercent: 80 } };
    const check = (state: WatchState | undefined, minute: number, online: (id: string) => boolean) =>
      transition(
        state,
        'post-1',
        ids.map((clientId) => ({ clientId, online: online(clientId) })),
        T0 + minute * MIN,
        options,
      );
    let result = check(undefined, 0, () => true);
    expect(result.events).toEqual([]);
    for (let minute = 1; minute <= 3; minute++) {
      result = check(JSON.parse(JSON.stringify(result.state)) as WatchState, minute, () => true);
      expect(result.events).toEqual([]);
    }
    expect(Object.getPrototypeOf(result.state.devices)).toBe(Object.prototype);
    expect(Object.keys(result.state.devices).sort()).toEqual([...ids].sort());
    expect(summarize(result.state)).toEqual({ online: 5, offline: 0 });
    result = check(JSON.parse(JSON.stringify(result.state)) as WatchState, 4, (id) => id !== '__proto__');
    expect(result.events.map((e) => [e.clientId, e.event])).toEqual([['__proto__', 'offline']]);
    result = check(JSON.parse(JSON.stringify(result.state)) as WatchState, 5, (id) => id !== '__proto__');
    expect(result.events).toEqual([]);
    result = check(JSON.parse(JSON.stringify(result.state)) as WatchState, 6, () => true);
    expect(result.events.map((e) => [e.clientId, e.event, e.offlineForMs])).toEqual([['__proto__', 'online', 2 * MIN]]);
  });

  it('parses Client ID lists: one per line or comma-separated', () => {
    expect(parseClientIdList('GID_a@@@1, GID_a@@@2\nGID_a@@@3\n\n , GID_a@@@1')).toEqual([
      'GID_a@@@1',
      'GID_a@@@2',
      'GID_a@@@3',
    ]);
    expect(parseClientIdList(['x', ' y '])).toEqual(['x', 'y']);
    expect(parseClientIdList(undefined)).toEqual([]);
  });
});
