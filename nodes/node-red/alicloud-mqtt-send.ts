import { oneCall, registerQueryNode } from './node-context';
import { sendMessage, type SendDef } from './handlers/send';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-send`: publishes msg.payload to a topic of the instance through the OnsMqtt API
 * (SendMessage): a device subscribed to it receives it.
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<SendDef>(RED, 'alicloud-mqtt-send', 'alicloud-mqtt-send.status.sending', oneCall(sendMessage));
};
