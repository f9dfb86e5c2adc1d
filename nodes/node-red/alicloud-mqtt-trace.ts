import { oneCall, registerQueryNode } from './node-context';
import { connectionTrace, type TraceDef } from './handlers/trace';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-trace`: the connection history of one device (QueryMqttTraceDevice), for "why is
 * it offline?". The period is the last N minutes, or msg.from / msg.to when the message has them.
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<TraceDef>(RED, 'alicloud-mqtt-trace', 'alicloud-mqtt-trace.status.querying', oneCall(connectionTrace));
};
