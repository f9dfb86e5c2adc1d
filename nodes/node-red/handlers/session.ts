import {
  displayValue,
  invalidInput,
  isSessionFailure,
  routeOf,
  statusFields,
  type OnsMqttError,
  type QueryMode,
  type SessionQueryOutcome,
} from '../../../lib/internal';
import type { QueryNodeContext, QueryNodeDef } from '../node-context';
import { asOnsMqttError, attachError, catchableError, shortText } from '../runtime';
import type { DoneFn, NodeMessage, NodeStatus, SendFn } from '../types';

export interface SessionDef extends QueryNodeDef {
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  mode?: QueryMode;
  property?: string;
  routeErrors?: boolean;
  offlineDetails?: boolean;
}

type Ctx = QueryNodeContext<SessionDef>;
type Ids = { clientId: unknown; instanceId: unknown };

const PORT = { online: 0, offline: 1, retry: 2, fail: 3 } as const;

/**
 * One message: one device (a status message at its port), or a list (one message per id, sent as
 * each answer arrives, with msg.parts for a join node). Without "Send errors to Retry and Fail
 * outputs", a failed message goes to Catch exactly once, with the details on msg.alicloudError.
 */
export async function checkSessions(ctx: Ctx, msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
  const { def } = ctx;
  let clientIdValue: unknown;
  let instanceId: unknown;
  try {
    clientIdValue = await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
    // A configured Instance ID wins; blank means msg.instanceId.
    const configured = def.instanceId !== undefined && def.instanceId !== '';
    instanceId = configured ? await ctx.evaluate(def.instanceId, def.instanceIdType ?? 'str', msg) : msg.instanceId;
  } catch (error) {
    return fail(ctx, msg, asOnsMqttError(error, 'clientId'), send, done, {
      clientId: undefined,
      instanceId: undefined,
    });
  }
  try {
    ctx.client();
  } catch (error) {
    return fail(ctx, msg, asOnsMqttError(error, 'config'), send, done, { clientId: clientIdValue, instanceId });
  }
  if (!Array.isArray(clientIdValue)) return checkOne(ctx, msg, { clientId: clientIdValue, instanceId }, send, done);
  // An empty list would send nothing at all: say so instead of dropping the message.
  if (clientIdValue.length === 0) {
    return fail(ctx, msg, invalidInput('clientId', 'the list of Client IDs is empty; give at least one.'), send, done, {
      clientId: undefined,
      instanceId,
    });
  }
  await checkList(ctx, msg, clientIdValue, instanceId, send);
  done();
}

async function checkOne(ctx: Ctx, msg: NodeMessage, ids: Ids, send: SendFn, done: DoneFn): Promise<void> {
  const { work, status } = ctx;
  status.begin();
  let outcome: SessionQueryOutcome;
  try {
    outcome = await ctx
      .client()
      .querySession(
        { clientId: ids.clientId as string, instanceId: ids.instanceId as string },
        { signal: work.signal, offlineDetails: ctx.def.offlineDetails === true },
      );
  } catch (error) {
    const e = asOnsMqttError(error);
    if (work.quietlyCancelled(e)) return done();
    outcome = {
      clientId: displayValue(ids.clientId),
      instanceId: typeof ids.instanceId === 'string' ? ids.instanceId : '',
      error: e,
    };
  }
  status.end(statusOf(ctx, outcome));
  if (isSessionFailure(outcome) && ctx.def.routeErrors !== true)
    return fail(ctx, msg, outcome.error, send, done, outcome);
  send(routed(ctx, msg, outcome));
  done();
}

async function checkList(ctx: Ctx, msg: NodeMessage, ids: unknown[], instanceId: unknown, send: SendFn): Promise<void> {
  const { def, work, status, RED } = ctx;
  const partsId = `${msg._msgid ?? ctx.node.id}-${Date.now()}`;
  // Each message is a copy of the input without the list, whose property holds this message's
  // own id, as a split node does: N copies of an N-id list would cost O(N²) (20,000 ids: minutes).
  const listPath = (def.clientIdType ?? 'msg') === 'msg' ? (def.clientId ?? 'payload') : undefined;
  const template = listPath ? withoutProperty(ctx, msg, listPath) : RED.util.cloneMessage(msg);
  status.begin(ids.length);
  await ctx.client().querySessions(
    { clientIds: ids, instanceId: instanceId as string, mode: def.mode === 'batch' ? 'batch' : 'exact' },
    {
      signal: work.signal,
      offlineDetails: def.offlineDetails === true,
      onResult: (outcome, index) => {
        if (isSessionFailure(outcome) && work.quietlyCancelled(outcome.error)) return;
        status.end(statusOf(ctx, outcome));
        const out = RED.util.cloneMessage(template);
        if (listPath) RED.util.setMessageProperty(out, listPath, ids[index]);
        out.parts = { id: partsId, index, count: ids.length, type: 'array' };
        if (isSessionFailure(outcome) && def.routeErrors !== true) {
          markFailed(ctx, out, outcome);
          // Each failed id is its own message: Catch gets each one once.
          ctx.node.error(catchableError(outcome.error), out);
          return;
        }
        send(routed(ctx, out, outcome));
      },
    },
  );
}

function statusOf(ctx: Ctx, outcome: SessionQueryOutcome): NodeStatus {
  const route = routeOf(outcome);
  if (route === 'online')
    return { fill: 'green', shape: 'dot', text: ctx.RED._('alicloud-mqtt-session.status.online') };
  if (route === 'offline')
    return { fill: 'grey', shape: 'ring', text: ctx.RED._('alicloud-mqtt-session.status.offline') };
  return { fill: 'red', shape: 'ring', text: shortText((outcome as { error: OnsMqttError }).error.code) };
}

/** The one shape of a failed message: `{ clientId, instanceId, online: null }` and the error details. */
function markFailed(
  ctx: Ctx,
  msg: NodeMessage,
  failure: { clientId: string; instanceId: string; error: OnsMqttError },
): NodeMessage {
  ctx.RED.util.setMessageProperty(msg, ctx.def.property || 'payload', {
    clientId: failure.clientId,
    instanceId: failure.instanceId,
    online: null,
  });
  return attachError(msg, failure.error);
}

/** The message for one outcome, at its port (null elsewhere). */
function routed(ctx: Ctx, msg: NodeMessage, outcome: SessionQueryOutcome): Array<NodeMessage | null> {
  const out = new Array<NodeMessage | null>(ctx.def.routeErrors === true ? 4 : 2).fill(null);
  if (isSessionFailure(outcome)) markFailed(ctx, msg, outcome);
  else ctx.RED.util.setMessageProperty(msg, ctx.def.property || 'payload', statusFields(outcome));
  out[PORT[routeOf(outcome)]] = msg;
  return out;
}

/** A copy of msg without the value at path (msg itself is left as it was). */
function withoutProperty(ctx: Ctx, msg: NodeMessage, path: string): NodeMessage {
  const { util } = ctx.RED;
  const value: unknown = util.getMessageProperty(msg, path);
  util.setMessageProperty(msg, path, undefined);
  try {
    return util.cloneMessage(msg);
  } finally {
    util.setMessageProperty(msg, path, value);
  }
}

function fail(ctx: Ctx, msg: NodeMessage, error: OnsMqttError, send: SendFn, done: DoneFn, ids: Ids): void {
  const outcome = {
    clientId: typeof ids.clientId === 'string' ? ids.clientId : '',
    instanceId: typeof ids.instanceId === 'string' ? ids.instanceId : '',
    error,
  };
  if (ctx.def.routeErrors === true) {
    send(routed(ctx, msg, outcome));
    return done();
  }
  markFailed(ctx, msg, outcome);
  ctx.node.status({ fill: 'red', shape: 'ring', text: shortText(error.code) });
  done(catchableError(error));
}
