import { registerQueryNode } from './node-context';
import { checkSessions, type SessionDef } from './handlers/session';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-session`: is this device (or each device of a list) online? Outputs online and
 * offline, plus retry and fail when "Send errors to Retry and Fail outputs" is on.
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<SessionDef>(RED, 'alicloud-mqtt-session', 'alicloud-mqtt-session.status.querying', checkSessions);
};
