/**
 * "Every input item or message ends in exactly one output, whatever its type", as a property
 * (fast-check, seeded, bounded): any list mixing good Client IDs with numbers, null, arrays,
 * objects whose toString / valueOf throw or are not callable, prototype keys, lone surrogates,
 * control characters and very long strings, through the core (querySession, querySessions exact
 * and batch, the watch list's parsing), the n8n node's operations under each On Error setting, and
 * the Node-RED session node. Bad inputs end as InvalidInput with no request sent for them; nothing
 * is thrown out of execute() but n8n's own errors under Stop Workflow.
 */
import fc from 'fast-check';
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { isSessionFailure, OnsMqttError, parseClientIdList } from '../../lib/internal';
import { requireId } from '../../lib/base/validation';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import { clientFor, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { executeContext } from '../helpers/n8n-context';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, helper, waitUntil } from '../helpers/node-red';
import { busyEventLoop } from '../../bench/hostile';

const SEED = 20261202;
const INSTANCE = 'post-cn-emulator01';
const env = nodeRedWithEmulator();

/** The n8n credential's fields, pointed at the emulator. */
const n8nCredentials = () => ({
  accessKeyId: SENTINEL_ACCESS_KEY_ID,
  accessKeySecret: SENTINEL_SECRET,
  region: 'cn-hangzhou',
  network: 'public',
  endpoint: env.emu.endpoint,
});

const thrower = () => {
  throw new Error('hostile toString');
};
/** Any value a webhook, an expression or a user's code can put where a Client ID goes. */
const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map((i) => `GID_prop@@@${i}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((i) => ` GID_prop@@@${i}\t`) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
  },
  { weight: 1, arbitrary: fc.array(fc.constant('GID_prop@@@1'), { maxLength: 2 }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<() => unknown>(
        () => ({ toString: 1 }),
        () => ({ toString: thrower }),
        () => ({ valueOf: thrower, toString: thrower }),
        () => ({ toJSON: thrower, toString: 1 }),
        () => JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
        () => Object.create(null) as unknown,
      )
      .map((make) => make()),
  },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty') },
  { weight: 1, arbitrary: fc.constantFrom('GID_a@@@\uD83D', '\uDE00dev', 'GID_a@@@1\n', 'x\u0000y', '', '   ') },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 120_000 }).map((n) => `GID_${'x'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }) },
);

/** Whether the core takes `value` as a Client ID (what it would send). */
function validId(value: unknown): string | undefined {
  try {
    return requireId('clientId', value, 'x');
  } catch {
    return undefined;
  }
}

const queriesSent = () =>
  env.emu
    .requestLog()
    .filter((e) => e.action === 'QuerySessionByClientId' || e.action === 'BatchQuerySessionByClientIds');

describe('one output per input (property, fast-check)', () => {
  it('the core: querySession, querySessions (exact, batch) and the watch list parsing', async () => {
    const client = clientFor(env.emu);
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyInput, { maxLength: 25 }),
        fc.constantFrom('exact' as const, 'batch' as const),
        async (inputs, mode) => {
          env.emu.reset();
          const results = await client.querySessions({ clientIds: inputs, instanceId: INSTANCE, mode });
          expect(results).toHaveLength(inputs.length);
          const valid = inputs.map(validId);
          results.forEach((result, i) => {
            const id = valid[i];
            if (id === undefined) {
              expect(isSessionFailure(result) && result.error.code).toBe('InvalidInput');
              expect(typeof result.clientId).toBe('string');
            } else {
              expect(result.clientId).toBe(id);
              expect(isSessionFailure(result)).toBe(false);
            }
          });
          // Requests for the good ones only, each good one in exactly one (exact: one each; batch: by tens).
          const sent = queriesSent().flatMap((e) => e.clientIds);
          const good = valid.filter((v): v is string => v !== undefined);
          expect([...sent].sort()).toEqual([...good].sort());
          // One at a time, too: a value or an InvalidInput, never another exception.
          for (const input of inputs.slice(0, 3)) {
            const one = await client.querySession({ clientId: input as string, instanceId: INSTANCE }).then(
              () => 'ok',
              (e: unknown) => (e instanceof OnsMqttError ? e.code : 'thrown'),
            );
            expect(one).toBe(validId(input) === undefined ? 'InvalidInput' : 'ok');
          }
          // The watch list: strings only, or one clear InvalidInput.
          try {
            const list = parseClientIdList(inputs);
            expect(list.every((id) => typeof id === 'string')).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(OnsMqttError);
            expect((error as OnsMqttError).code).toBe('InvalidInput');
          }
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  }, 120_000);

  it('the n8n node: Get Status and Get Many Statuses under each On Error setting, with and without Route Errors', async () => {
    const node = new AlibabaCloudMqtt();
    const credentials = n8nCredentials();
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyInput, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('getStatus', 'getManyStatuses'),
        fc.constantFrom('stopWorkflow' as const, 'continueRegularOutput' as const, 'continueErrorOutput' as const),
        fc.boolean(),
        async (inputs, operation, onError, routeErrors) => {
          env.emu.reset();
          const ctx = executeContext({
            parameters: {
              resource: 'deviceSession',
              operation,
              clientId: '={{ $json.clientId }}',
              instanceId: INSTANCE,
              routeErrors,
              options: { maxAttempts: 2, timeout: 10_000 },
            },
            items: inputs.map((clientId) => ({ clientId }) as never),
            credentials,
            onError,
          });
          let outputs: INodeExecutionData[][];
          try {
            outputs = await node.execute.call(ctx);
          } catch (error) {
            // Only Stop Workflow stops, and only with n8n's own error, for an item that failed.
            expect(onError === 'stopWorkflow' && !routeErrors).toBe(true);
            expect(error instanceof NodeOperationError || error instanceof NodeApiError).toBe(true);
            expect(inputs.some((v) => validId(v) === undefined)).toBe(true);
            return;
          }
          const all = outputs.flat();
          // Each input item exactly once, over all outputs, and in input order within each.
          expect(all.map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b)).toEqual(
            inputs.map((_, i) => i),
          );
          for (const output of outputs) {
            const order = output.map((i) => (i.pairedItem as { item: number }).item);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
          // A bad input is never on Online.
          const onlineItems = new Set(outputs[0].map((i) => (i.pairedItem as { item: number }).item));
          inputs.forEach((v, i) => {
            if (validId(v) === undefined) expect(onlineItems.has(i)).toBe(false);
          });
          const sent = queriesSent().flatMap((e) => e.clientIds);
          for (const id of sent) expect(inputs.map(validId)).toContain(id);
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  }, 180_000);

  it('on a busy host with a slow, faulty service: each item in exactly one output, in input order', async () => {
    const node = new AlibabaCloudMqtt();
    const credentials = n8nCredentials();
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyInput, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('getStatus', 'getManyStatuses'),
        fc.record({ blockMs: fc.constantFrom(0, 15, 50), halfTime: fc.boolean() }),
        fc.record({
          latencyMs: fc.constantFrom(0, 50, 150),
          jitterMs: fc.constantFrom(0, 40),
          hangRate: fc.constantFrom(0, 0.1),
          errorRate: fc.constantFrom(0, 0.2),
        }),
        async (inputs, operation, busy, service) => {
          env.emu.reset();
          env.emu.setFaults({
            latencyMs: service.latencyMs,
            jitterMs: service.jitterMs,
            hangRate: service.hangRate,
            errors: service.errorRate
              ? [
                  { code: 'InternalError', rate: service.errorRate },
                  { code: 'InvalidAccessKeyId.NotFound', rate: service.errorRate / 4 },
                ]
              : [],
            seed: SEED,
          });
          const ctx = executeContext({
            parameters: {
              resource: 'deviceSession',
              operation,
              clientId: '={{ $json.clientId }}',
              instanceId: INSTANCE,
              routeErrors: true,
              // Short enough that hung answers and a blocked loop time attempts out.
              options: { maxAttempts: 2, timeout: 300 },
            },
            items: inputs.map((clientId) => ({ clientId }) as never),
            credentials,
            onError: 'continueErrorOutput',
          });
          const loop = busy.blockMs > 0 ? busyEventLoop(busy.blockMs, busy.halfTime ? busy.blockMs : 0) : undefined;
          let outputs: INodeExecutionData[][];
          try {
            outputs = await node.execute.call(ctx);
          } finally {
            loop?.stop();
            env.emu.setFaults({});
          }
          const all = outputs.flat();
          expect(all.map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b)).toEqual(
            inputs.map((_, i) => i),
          );
          for (const output of outputs) {
            const order = output.map((i) => (i.pairedItem as { item: number }).item);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
        },
      ),
      { seed: SEED, numRuns: 12 },
    );
  }, 240_000);

  it('the Node-RED session node: one message per input, and one list of inputs in one message', async () => {
    const flow = (mode: string) => [
      { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint },
      {
        id: 'q',
        type: 'alicloud-mqtt-session',
        z: 'f1',
        config: 'cfg',
        clientId: 'payload',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        instanceIdType: 'str',
        mode,
        maxAttempts: 2,
        x: 100,
        y: 100,
        wires: [['on'], ['off']],
      },
      // Flow nodes need a position: without one Node-RED takes a node for a config node.
      { id: 'on', type: 'helper', z: 'f1', x: 300, y: 50 },
      { id: 'off', type: 'helper', z: 'f1', x: 300, y: 100 },
      { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1', x: 300, y: 300 },
      { id: 'f1', type: 'tab' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyInput, { minLength: 1, maxLength: 10 }),
        fc.constantFrom('exact', 'batch'),
        async (inputs, mode) => {
          env.emu.reset();
          await helper.load([configNode, sessionNode], flow(mode), {
            cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET },
          });
          try {
            const on = collect('on');
            const off = collect('off');
            const caught = collect('caught');
            const q = helper.getNode('q');
            // One message per input: each ends exactly once (Online, Offline, or Catch); an array
            // payload is a list, whose every entry ends once (msg.parts), an empty one as one failure.
            inputs.forEach((payload, i) => q.receive({ payload, seq: i }));
            const expected = inputs.map((v) => (Array.isArray(v) && v.length > 0 ? v.length : 1));
            const total = expected.reduce((a, b) => a + b, 0);
            const ended = () => [...on, ...off, ...caught].filter((m) => typeof m.seq === 'number');
            await waitUntil(() => ended().length >= total, 30_000, 'every message to end');
            const perInput = inputs.map((_, i) => ended().filter((m) => m.seq === i).length);
            expect(perInput).toEqual(expected);
            for (const m of on) if (m.parts === undefined) expect(validId(inputs[m.seq as number])).toBeDefined();

            // The whole list in one message: one message per entry (msg.parts), or one failure.
            on.length = off.length = caught.length = 0;
            q.receive({ payload: inputs, list: true });
            await waitUntil(
              () => [...on, ...off, ...caught].filter((m) => m.list).length >= inputs.length,
              30_000,
              'every entry to end',
            );
            const entries = [...on, ...off, ...caught].filter((m) => m.list);
            expect(entries.map((m) => (m.parts as { index: number }).index).sort((a, b) => a - b)).toEqual(
              inputs.map((_, i) => i),
            );
            for (const m of on.filter((x) => x.list))
              expect(validId(inputs[(m.parts as { index: number }).index])).toBeDefined();
          } finally {
            await helper.unload();
          }
        },
      ),
      { seed: SEED, numRuns: 12 },
    );
  }, 240_000);
});
