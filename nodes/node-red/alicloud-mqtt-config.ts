import { checkCredentials, OnsMqttError } from '../../lib';
import { configToClientOptions, configToSharedLimit, type ConfigNode } from './config-options';
import type { NodeAPI, NodeDef } from './types';

/**
 * Config node `alicloud-mqtt-config`: the Authentication choice (AccessKey, STS token, RAM role,
 * ECS instance role, OIDC, credentials URI, default chain); AccessKey, STS token and credentials
 * URI as Node-RED credentials, stored encrypted and never exported; role, region, network and
 * endpoint as plain properties. `${ENV_VAR}` in any field is substituted by Node-RED when flows load.
 * An optional Redis URL shares the rate limit with other instances (its password is a credential).
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType(
    'alicloud-mqtt-config',
    function AlicloudMqttConfig(this: ConfigNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      this.name = def.name;
      this.clientOptions = () => configToClientOptions(def, this.credentials);
      this.sharedLimit = () => configToSharedLimit(def, this.credentials);
    },
    {
      credentials: {
        accessKeyId: { type: 'text' },
        accessKeySecret: { type: 'password' },
        securityToken: { type: 'password' },
        // A password: the URI can carry its own token (a path or a query), and read-only users
        // of the editor must not see it.
        credentialsUri: { type: 'password' },
        sharedLimitPassword: { type: 'password' },
        proxyPassword: { type: 'password' },
      },
    },
  );

  // "Test" in the config dialog: the runtime checks the deployed config node (the exchange, then a
  // signed request) and answers in words; the secrets never travel to the browser.
  RED.httpAdmin?.post(
    '/alicloud-mqtt-config/:id/test',
    RED.auth ? RED.auth.needsPermission('alicloud-mqtt-config.write') : (_req, _res, next) => next(),
    (req, res) => {
      const node = RED.nodes.getNode(req.params.id) as ConfigNode | null;
      if (!node || typeof node.clientOptions !== 'function') {
        res.status(404).json({ ok: false, message: 'Deploy this configuration first: the test uses the deployed one.' });
        return;
      }
      let options;
      try {
        options = node.clientOptions();
      } catch (error) {
        res.json({ ok: false, message: error instanceof OnsMqttError ? error.message : String(error) });
        return;
      }
      void checkCredentials(options).then((result) => res.json({ ok: result.ok, code: result.code, message: result.message }));
    },
  );
};
