/**
 * "One event per outage", model-based (fast-check, seeded): random sequences of devices dropping
 * and coming back, checks cut short at random points (a deploy), restarts (a new process reading
 * what the store saved), and long quiet periods, run through the FleetWatcher both hosts use.
 * The reference model: every change a completed check sees is reported exactly once, with the
 * right direction, or taken by an incident when storm protection is on; a cut check reports and
 * saves nothing; nothing is ever invented.
 */
import fc from 'fast-check';
import {
  FleetWatcher,
  OnsMqttError,
  type OnsMqttClient,
  type SavedWatch,
  type SessionQueryOutcome,
  type WatchCheckResult,
  type WatchOptions,
} from '../../lib/internal';

const SEED = 20261202;
const OPTIONS: WatchOptions = {
  events: { offline: true, online: true },
  offlineAfterMs: 0,
  onlineAfterMs: 0,
  reportInitialOffline: false,
};

type Command =
  | { kind: 'set'; device: number; online: boolean }
  | { kind: 'check' }
  | { kind: 'cutCheck'; answered: number }
  | { kind: 'restart' }
  | { kind: 'quiet'; minutes: number };

const command = (devices: number): fc.Arbitrary<Command> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        device: fc.integer({ min: 0, max: devices - 1 }),
        online: fc.boolean(),
      }),
    },
    { weight: 4, arbitrary: fc.constant({ kind: 'check' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('cutCheck' as const), answered: fc.integer({ min: 0, max: devices }) }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('quiet' as const), minutes: fc.integer({ min: 1, max: 7 * 24 * 60 }) }),
    },
  );

/** A service that answers the devices' true state; a cut check aborts after `answered` answers. */
function fakeClient(truth: boolean[], cut: { at?: number; controller?: AbortController }): OnsMqttClient {
  return {
    querySessions: async (input: { clientIds: readonly string[]; instanceId: string }) => {
      const outcomes: SessionQueryOutcome[] = [];
      for (const [i, clientId] of input.clientIds.entries()) {
        await Promise.resolve();
        if (cut.at !== undefined && i >= cut.at) {
          cut.controller?.abort();
          outcomes.push({
            clientId,
            instanceId: input.instanceId,
            error: new OnsMqttError({ code: 'Aborted', message: 'cancelled' }),
          });
          continue;
        }
        outcomes.push({
          clientId,
          instanceId: input.instanceId,
          online: truth[Number(clientId.split('@@@')[1])],
          requestId: 'r',
          checkedAt: '',
        });
      }
      return outcomes;
    },
    // After a restart the watcher reads the traces: this service's show nothing hidden.
    queryConnectionTrace: async () => [],
  } as unknown as OnsMqttClient;
}

describe('one event per outage (model-based property, fast-check)', () => {
  it('every change a completed check sees fires once; cut checks fire and save nothing; restarts repeat nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 12 })
          .chain((devices) =>
            fc.tuple(fc.constant(devices), fc.array(command(devices), { minLength: 1, maxLength: 60 })),
          ),
        // Storm protection off, or on with any thresholds.
        fc.option(
          fc.record({
            minDevices: fc.integer({ min: 0, max: 6 }),
            minPercent: fc.integer({ min: 0, max: 100 }),
            resolvePercent: fc.integer({ min: 1, max: 100 }),
          }),
        ),
        async ([devices, commands], storm) => {
          const options: WatchOptions = storm ? { ...OPTIONS, storm } : OPTIONS;
          const ids = Array.from({ length: devices }, (_, i) => `GID_model@@@${i}`);
          const truth = ids.map(() => true);
          let saved: SavedWatch | undefined; // what the host's store holds
          let now = Date.parse('2026-12-01T00:00:00Z');
          let processId = 'process-1';
          // The model: what has been reported (or taken as the baseline) per device.
          let reported: boolean[] | undefined;
          let openIncident: Record<string, unknown> | undefined;
          const fired: Array<[number, string]> = [];
          const expected: Array<[number, string]> = [];
          const store = {
            load: async () => (saved ? (JSON.parse(JSON.stringify(saved)) as SavedWatch) : undefined),
            save: async (s: SavedWatch) => void (saved = JSON.parse(JSON.stringify(s)) as SavedWatch),
          };
          for (const [step, c] of commands.entries()) {
            if (c.kind === 'set') truth[c.device] = c.online;
            else if (c.kind === 'quiet') now += c.minutes * 60_000;
            else if (c.kind === 'restart') processId = `process-${step}`;
            else {
              const controller = new AbortController();
              const cut = c.kind === 'cutCheck' ? { at: c.answered, controller } : {};
              const watcher = new FleetWatcher({
                client: () => fakeClient(truth, cut),
                instanceId: 'post-cn-model',
                clientIds: ids,
                options,
                store,
                now: () => now,
                signal: controller.signal,
                processId,
              });
              const before = JSON.stringify(saved ?? null);
              const result: WatchCheckResult | Error = await watcher
                .check()
                .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
              now += 60_000;
              if (c.kind === 'cutCheck' && c.answered < devices) {
                // Cut: nothing fired, nothing saved.
                expect(result).toBeInstanceOf(OnsMqttError);
                expect(JSON.stringify(saved ?? null)).toBe(before);
                continue;
              }
              if (result instanceof Error) throw result;
              const index = (clientId: string) => Number(clientId.split('@@@')[1]);
              const changes =
                reported === undefined
                  ? []
                  : truth.map((online, i) => (online !== reported![i] ? (online ? 'online' : 'offline') : null));
              // An incident takes a device's changes in its place (one event for all): those of its
              // members, the one it opens with, and what folds into it while it is open.
              const members = new Set<number>(
                [
                  ...Object.keys(openIncident ?? {}),
                  ...Object.keys(result.state.incident?.devices ?? {}),
                  ...result.incidents.flatMap((n) => (n.event === 'incident' ? n.devices.map((d) => d.clientId) : [])),
                ].map(index),
              );
              for (const e of result.events) {
                fired.push([index(e.clientId), e.event]);
                expect(changes[index(e.clientId)]).toBe(e.event); // never invented, never the wrong way
              }
              changes.forEach((change, i) => {
                if (change === null) return;
                const own = result.events.some((e) => index(e.clientId) === i);
                // Every change is reported by its own event, or taken by an incident.
                expect(own || members.has(i)).toBe(true);
                if (own) expected.push([i, change]);
              });
              openIncident = result.state.incident?.devices;
              reported = [...truth];
            }
          }
          const order = (list: Array<[number, string]>) => list.map(([i, e]) => `${i}:${e}`);
          // Each device's events in the model's order (devices of one check may come in any order).
          for (let i = 0; i < devices; i++) {
            expect(order(fired.filter(([d]) => d === i))).toEqual(order(expected.filter(([d]) => d === i)));
          }
          // Without storms, offline and online alternate for each device: one event per outage and
          // one per return (an incident may take either side of a pair).
          if (!storm)
            for (let i = 0; i < devices; i++) {
              const kinds = fired.filter(([d]) => d === i).map(([, e]) => e);
              kinds.forEach((k, n) => n > 0 && expect(k).not.toBe(kinds[n - 1]));
            }
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});
