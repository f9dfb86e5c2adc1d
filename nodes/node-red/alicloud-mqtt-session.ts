import { displayValue, invalidInput, isSessionFailure, routeOf, statusFields, type OnsMqttError, type QueryMode, type SessionQueryOutcome } from '../../lib';
import {
  asOnsMqttError,
  attachError,
  catchableError,
  clientFactory,
  countText,
  evaluate,
  InFlightStatus,
  PendingWork,
  shortText,
  wireHandlers,
  type QueryOptionsDef,
} from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from './types';

interface SessionDef extends NodeDef, QueryOptionsDef {
  config?: string;
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  mode?: QueryMode;
  property?: string;
  routeErrors?: boolean;
  offlineDetails?: boolean;
}

const PORT = { online: 0, offline: 1, retry: 2, fail: 3 } as const;

/**
 * `alicloud-mqtt-session`: is this device (or each device of a list) online? Outputs online and
 * offline, plus retry and fail when "Send errors to Retry and Fail outputs" is on. Without it, a
 * failed message goes to Catch exactly once, with the details on msg.alicloudError.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-session', function AlicloudMqttSession(this: Node, def: SessionDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const routeErrors = def.routeErrors === true;
    const outputCount = routeErrors ? 4 : 2;
    const mode: QueryMode = def.mode === 'batch' ? 'batch' : 'exact';
    const property = def.property || 'payload';
    const offlineDetails = def.offlineDetails === true;
    const getClient = clientFactory(RED, def.config, def);
    const status = new InFlightStatus(node, (n) => countText(RED._('alicloud-mqtt-session.status.querying'), n));
    const work = new PendingWork();

    const statusOf = (outcome: SessionQueryOutcome): NodeStatus => {
      const route = routeOf(outcome);
      if (route === 'online') return { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-session.status.online') };
      if (route === 'offline') return { fill: 'grey', shape: 'ring', text: RED._('alicloud-mqtt-session.status.offline') };
      return { fill: 'red', shape: 'ring', text: shortText((outcome as { error: OnsMqttError }).error.code) };
    };

    /** The one shape of a failed message: `{ clientId, instanceId, online: null }` and the error details. */
    const markFailed = (msg: NodeMessage, failure: { clientId: string; instanceId: string; error: OnsMqttError }): NodeMessage => {
      RED.util.setMessageProperty(msg, property, { clientId: failure.clientId, instanceId: failure.instanceId, online: null });
      return attachError(msg, failure.error);
    };

    /** The message for one outcome, at its port (null elsewhere). */
    const routed = (msg: NodeMessage, outcome: SessionQueryOutcome): Array<NodeMessage | null> => {
      const out = new Array<NodeMessage | null>(outputCount).fill(null);
      if (isSessionFailure(outcome)) {
        markFailed(msg, outcome);
      } else {
        RED.util.setMessageProperty(msg, property, statusFields(outcome));
      }
      out[PORT[routeOf(outcome)]] = msg;
      return out;
    };

    async function handle(msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
      let clientIdValue: unknown;
      let instanceId: unknown;
      try {
        clientIdValue = await evaluate(RED, node, def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
        // A configured Instance ID wins; blank means msg.instanceId.
        const configured = def.instanceId !== undefined && def.instanceId !== '';
        instanceId = configured ? await evaluate(RED, node, def.instanceId, def.instanceIdType ?? 'str', msg) : msg.instanceId;
      } catch (error) {
        return fail(msg, asOnsMqttError(error, 'clientId'), send, done, { clientId: undefined, instanceId: undefined });
      }

      let client;
      try {
        client = getClient();
      } catch (error) {
        return fail(msg, asOnsMqttError(error, 'config'), send, done, { clientId: clientIdValue, instanceId });
      }

      if (!Array.isArray(clientIdValue)) {
        status.begin();
        let outcome: SessionQueryOutcome;
        try {
          outcome = await client.querySession({ clientId: clientIdValue as string, instanceId: instanceId as string }, { signal: work.signal, offlineDetails });
        } catch (error) {
          const e = asOnsMqttError(error);
          if (work.quietlyCancelled(e)) return done();
          outcome = {
            clientId: displayValue(clientIdValue),
            instanceId: typeof instanceId === 'string' ? instanceId : '',
            error: e,
          };
        }
        status.end(statusOf(outcome));
        if (isSessionFailure(outcome) && !routeErrors) return fail(msg, outcome.error, send, done, outcome);
        send(routed(msg, outcome));
        return done();
      }

      // An empty list would send nothing at all: say so instead of dropping the message.
      if (clientIdValue.length === 0) {
        return fail(msg, invalidInput('clientId', 'the list of Client IDs is empty; give at least one.'), send, done, { clientId: undefined, instanceId });
      }
      // A list: one message per id, sent as each answer arrives, with msg.parts for a join node.
      const ids = clientIdValue;
      const partsId = `${msg._msgid ?? node.id}-${Date.now()}`;
      // Each message is a copy of the input without the list, whose property holds this message's
      // own id, as a split node does: N copies of an N-id list would cost O(N²) (20,000 ids: minutes).
      const listPath = (def.clientIdType ?? 'msg') === 'msg' ? (def.clientId ?? 'payload') : undefined;
      const template = listPath ? withoutProperty(msg, listPath) : RED.util.cloneMessage(msg);
      status.begin(ids.length);
      await client.querySessions(
        { clientIds: ids, instanceId: instanceId as string, mode },
        {
          signal: work.signal,
          offlineDetails,
          onResult: (outcome, index) => {
            if (isSessionFailure(outcome) && work.quietlyCancelled(outcome.error)) return;
            status.end(statusOf(outcome));
            const out = RED.util.cloneMessage(template);
            if (listPath) RED.util.setMessageProperty(out, listPath, ids[index]);
            out.parts = { id: partsId, index, count: ids.length, type: 'array' };
            if (isSessionFailure(outcome) && !routeErrors) {
              markFailed(out, outcome);
              // Each failed id is its own message: Catch gets each one once.
              node.error(catchableError(outcome.error), out);
              return;
            }
            send(routed(out, outcome));
          },
        },
      );
      done();
    }

    /** A copy of msg without the value at path (msg itself is left as it was). */
    function withoutProperty(msg: NodeMessage, path: string): NodeMessage {
      const value = RED.util.getMessageProperty(msg, path);
      RED.util.setMessageProperty(msg, path, undefined);
      try {
        return RED.util.cloneMessage(msg);
      } finally {
        RED.util.setMessageProperty(msg, path, value);
      }
    }

    function fail(msg: NodeMessage, error: OnsMqttError, send: SendFn, done: DoneFn, ids: { clientId: unknown; instanceId: unknown }): void {
      const outcome = {
        clientId: typeof ids.clientId === 'string' ? ids.clientId : '',
        instanceId: typeof ids.instanceId === 'string' ? ids.instanceId : '',
        error,
      };
      if (routeErrors) {
        send(routed(msg, outcome));
        return done();
      }
      markFailed(msg, outcome);
      node.status({ fill: 'red', shape: 'ring', text: shortText(error.code) });
      done(catchableError(error));
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};
