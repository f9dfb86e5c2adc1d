import { oneCall, registerQueryNode } from './node-context';
import { trace, type TraceDef } from './handlers/trace';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-trace`: the connection history of one device (QueryMqttTraceDevice), for "why is
 * it offline?"; or a message's way, for "why did this message not arrive?": who sent it, who
 * received it, what one client sent and received (the message traces).
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<TraceDef>(RED, 'alicloud-mqtt-trace', 'alicloud-mqtt-trace.status.querying', oneCall(trace));
};
