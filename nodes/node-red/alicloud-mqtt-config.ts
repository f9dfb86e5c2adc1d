import { configToClientOptions, type ConfigNode } from './config-options';
import type { NodeAPI, NodeDef } from './types';

/**
 * Config node `alicloud-mqtt-config`: the Authentication choice (AccessKey, STS token, RAM role,
 * ECS instance role, OIDC, credentials URI, default chain); AccessKey, STS token and credentials
 * URI as Node-RED credentials, stored encrypted and never exported; role, region, network and
 * endpoint as plain properties. `${ENV_VAR}` in any field is substituted by Node-RED when flows load.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType(
    'alicloud-mqtt-config',
    function AlicloudMqttConfig(this: ConfigNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      this.name = def.name;
      this.clientOptions = () => configToClientOptions(def, this.credentials);
    },
    {
      credentials: {
        accessKeyId: { type: 'text' },
        accessKeySecret: { type: 'password' },
        securityToken: { type: 'password' },
        credentialsUri: { type: 'text' },
      },
    },
  );
};
