import { oneCall, registerQueryNode } from './node-context';
import { credentialOperation, type CredentialDef } from './handlers/credential';
import type { NodeAPI } from './types';

/**
 * `alicloud-mqtt-credential`: a device's credential (get or register, get, register, refresh,
 * unregister) or a token (apply, query, revoke), chosen in the node. A credential comes with
 * `mqtt: { clientId, username, password }`, what the device passes to CONNECT.
 */
export = function register(RED: NodeAPI): void {
  registerQueryNode<CredentialDef>(
    RED,
    'alicloud-mqtt-credential',
    'alicloud-mqtt-credential.status.working',
    oneCall(credentialOperation),
  );
};
