/**
 * The Node-RED nodes' handling entered directly, without a Node-RED runtime: each handler is a
 * named function over a small node context (nodes/node-red/node-context.ts), so a test gives it a
 * context and a message and reads what it sent. The runtime-level behaviour (one output per
 * message, Catch, close) is tested through a real Node-RED in the node-red-*.test.ts files.
 */
import type { RunningEmulator } from '../../emulator';
import { checkSessions, type SessionDef } from '../../nodes/node-red/handlers/session';
import { trace, type TraceDef } from '../../nodes/node-red/handlers/trace';
import { queryNodeContext } from '../../nodes/node-red/node-context';
import type { Node, NodeAPI, NodeMessage, NodeStatus } from '../../nodes/node-red/types';
import { connectMqtt, emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(() => emu.stop());

/** Just enough of Node-RED for a handler: its config node, message properties, the catalogue, a status. */
function context<D extends SessionDef | TraceDef>(def: Omit<D, 'id' | 'type' | 'name' | 'z'>) {
  const statuses: NodeStatus[] = [];
  const config = {
    clientOptions: () => ({
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
      endpoint: emu.endpoint,
    }),
  };
  const RED = {
    nodes: { getNode: () => config },
    util: {
      setMessageProperty: (msg: NodeMessage, prop: string, value: unknown) =>
        ((msg as Record<string, unknown>)[prop] = value),
      getMessageProperty: (msg: NodeMessage, prop: string) => (msg as Record<string, unknown>)[prop],
      cloneMessage: (msg: NodeMessage) => structuredClone(msg),
      evaluateNodeProperty: (
        value: string,
        type: string,
        _node: unknown,
        msg: NodeMessage,
        done: (e: Error | null, v: unknown) => void,
      ) => done(null, type === 'msg' ? (msg as Record<string, unknown>)[value] : value),
    },
    _: (key: string) => key,
  } as unknown as NodeAPI;
  const node = { id: 'n', status: (s: NodeStatus) => statuses.push(s), error: () => undefined } as unknown as Node;
  return {
    ctx: queryNodeContext(RED, node, { id: 'n', type: 't', name: '', z: 'f', config: 'cfg', ...def } as D, 'querying'),
    statuses,
  };
}

it('the session handler: one device to its output, the status it shows, done once', async () => {
  const device = await connectMqtt(emu.mqttUrl!, 'GID_h@@@on');
  const { ctx, statuses } = context<SessionDef>({ clientId: 'payload', clientIdType: 'msg', instanceId: INSTANCE });
  const sent: unknown[] = [];
  const done = jest.fn();
  await checkSessions(ctx, { payload: 'GID_h@@@on' }, (m) => sent.push(m), done);
  device.end(true);
  expect(sent).toHaveLength(1);
  expect(
    (sent[0] as Array<NodeMessage | null>).map((m) => (m ? (m.payload as { online: boolean }).online : null)),
  ).toEqual([true, null]);
  expect(done.mock.calls).toEqual([[]]);
  expect(statuses.at(-1)).toMatchObject({ fill: 'green', text: 'alicloud-mqtt-session.status.online' });
});

it('the trace handler in each mode calls its own API and puts the events in msg.payload', async () => {
  const before = { ...emu.stats().byAction };
  for (const what of ['connections', 'publish', 'deliveries', 'client'] as const) {
    const { ctx } = context<TraceDef>({ what, clientId: 'payload', clientIdType: 'msg', instanceId: INSTANCE });
    const sent: NodeMessage[] = [];
    const shown = await trace(ctx, { payload: 'GID_h@@@on', msgId: 'ABCDEF' }, (m) => sent.push(m as NodeMessage));
    expect([what, Array.isArray(sent[0]?.payload), shown.fill]).toEqual([what, true, 'green']);
  }
  const after = emu.stats().byAction;
  const called = (api: string) => (after[api] ?? 0) - (before[api] ?? 0);
  expect(
    [
      'QueryMqttTraceDevice',
      'QueryMqttTraceMessagePublish',
      'QueryMqttTraceMessageSubscribe',
      'QueryMqttTraceMessageOfClient',
    ].map(called),
  ).toEqual([1, 1, 1, 1]);
});
