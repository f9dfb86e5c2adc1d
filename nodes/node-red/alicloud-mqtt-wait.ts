import { oneCall, registerQueryNode } from './node-context';
import { waitUntilOnline, type WaitDef } from './handlers/wait';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-wait`: waits until a device connects (output 1, "online") or the timeout passes
 * (output 2, "timed out", with the connection trace of the wait in msg.payload.trace). A redeploy
 * or a stop cancels the waits in progress.
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<WaitDef>(RED, 'alicloud-mqtt-wait', 'alicloud-mqtt-wait.status.waiting', oneCall(waitUntilOnline));
};
