import { checkCredentials, environment, OnsMqttError } from '../../lib/internal';
import { configToClientOptions, configToSharedLimit, type ConfigDef, type ConfigNode } from './config-options';
import type { Node, NodeAPI, NodeDef } from './types';

/**
 * Config node `alicloud-mqtt-config`: the Authentication choice (AccessKey, STS token, RAM role,
 * ECS instance role, OIDC, credentials URI, default chain); AccessKey, STS token and credentials
 * URI as Node-RED credentials, stored encrypted and never exported; role, region, network and
 * endpoint as plain properties. `${ENV_VAR}` in any field is substituted by Node-RED when flows load.
 * An optional Redis URL shares the rate limit with other instances (its password is a credential).
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType<Node, NodeDef, never, Record<string, string | undefined>>(
    'alicloud-mqtt-config',
    function AlicloudMqttConfig(this: Node, def: NodeDef) {
      RED.nodes.createNode(this, def);
      // What the query nodes ask of their config node (config-options.ts).
      const node = this as ConfigNode;
      node.name = def.name;
      node.clientOptions = () => configToClientOptions(def, node.credentials);
      node.sharedLimit = () => configToSharedLimit(def, node.credentials);
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

  // "Test" in the config dialog: the runtime checks the configuration the dialog shows (the
  // exchange, then a signed request) and answers in words. The dialog sends its fields as they
  // stand, deployed or not; a secret left unchanged comes as Node-RED's placeholder and is taken
  // from the deployed node, so secrets never travel to the browser.
  RED.httpAdmin?.post(
    '/alicloud-mqtt-config/:id/test',
    RED.auth ? RED.auth.needsPermission('alicloud-mqtt-config.write') : (_req, _res, next) => next(),
    (req, res) => {
      const deployed = RED.nodes.getNode(req.params.id) as ConfigNode | null;
      const shown = dialogValues(req.params.id, req.body);
      if (!shown && (!deployed || typeof deployed.clientOptions !== 'function')) {
        res
          .status(404)
          .json({ ok: false, message: 'Deploy this configuration first: the test uses the deployed one.' });
        return;
      }
      let options;
      try {
        options = shown
          ? configToClientOptions(shown.def, withStoredSecrets(shown.credentials, deployed?.credentials))
          : deployed!.clientOptions();
      } catch (error) {
        res.json({ ok: false, message: error instanceof OnsMqttError ? error.message : String(error) });
        return;
      }
      void checkCredentials(options).then((result) =>
        res.json({ ok: result.ok, code: result.code, message: result.message }),
      );
    },
  );
};

/** Node-RED's stand-in for a password credential that is stored and was not retyped. */
const UNCHANGED_SECRET = '__PWRD__';

/**
 * The dialog's fields ({config, credentials}), with `${VAR}` resolved as Node-RED resolves it when
 * flows load; undefined when the request carries none (an older editor page).
 */
function dialogValues(
  id: string,
  body: unknown,
): { def: ConfigDef; credentials: Record<string, string | undefined> } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { config, credentials } = body as { config?: unknown; credentials?: unknown };
  if (!config || typeof config !== 'object') return undefined;
  const def: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config))
    if (typeof value === 'string' || typeof value === 'number') def[key] = withEnv(value);
  def.id = id;
  const typed: Record<string, string | undefined> = {};
  if (credentials && typeof credentials === 'object') {
    for (const [key, value] of Object.entries(credentials))
      if (typeof value === 'string') typed[key] = value === UNCHANGED_SECRET ? value : withEnv(value);
  }
  return { def: def as ConfigDef, credentials: typed };
}

function withEnv<T extends string | number>(value: T): T | string {
  const env = typeof value === 'string' ? /^\$\{(\w+)\}$/.exec(value.trim()) : null;
  return env ? (environment()[env[1]] ?? '') : value;
}

/** Typed credentials over the stored ones: a placeholder or a field not sent keeps the stored value. */
function withStoredSecrets(
  typed: Record<string, string | undefined>,
  stored: Record<string, string | undefined> | undefined,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...(stored ?? {}) };
  for (const [key, value] of Object.entries(typed)) if (value !== UNCHANGED_SECRET) merged[key] = value;
  return merged;
}
