import type {
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  ICredentialsDecrypted,
  IDataObject,
  INodeCredentialTestResult,
} from 'n8n-workflow';
import {
  checkCredentials,
  credentialFromFields,
  environment,
  type Environment,
  OnsMqttClient,
  proxyFromFields,
  queueModeNotice,
  sharedLimitFromEnvironment,
  type OnsMqttClientOptions,
} from '../../../../lib/internal';
import { coreOptionsFromNodeOptions } from '../../../../nodes/n8n-common/parameters';

/**
 * The Status Trigger's client: on Node's runtime (the SDK, Node's http and proxies, Redis), since the
 * push needs AMQP, which only the full package has. The credential fields are the same.
 */

/** Credential fields -> core client options, with the machine's identities, the proxy and the environment. */
export function coreOptionsFromCredentials(
  c: ICredentialDataDecryptedObject,
  env: Environment = environment(),
): OnsMqttClientOptions {
  const region = c.region === 'custom' ? c.customRegion : c.region;
  return {
    ...credentialFromFields(c, env),
    regionId: (region as string) || undefined,
    network: (c.network as OnsMqttClientOptions['network']) || undefined,
    endpoint: (c.endpoint as string) || undefined,
    // Empty: the environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the core's default).
    ...proxyFromFields(c.proxyUrl, c.proxyPassword),
  };
}

/** The queue-mode notice is given once per process, not once per execution. */
let noticeGiven = false;

/**
 * The client of one execution or poll. In queue mode (EXECUTIONS_MODE=queue) every worker is a
 * process of its own: the rate limit is then shared over n8n's own Redis unless
 * ALICLOUD_MQTT_SHARED_LIMIT says otherwise (lib/shared-limit/environment.ts). `warn` is n8n's logger.
 */
export function createClient(
  credentials: ICredentialDataDecryptedObject,
  options: IDataObject,
  warn?: (message: string) => void,
  env: Environment = environment(),
): OnsMqttClient {
  const sharedLimit = sharedLimitFromEnvironment(env);
  const notice = queueModeNotice(env);
  if (notice && warn && !noticeGiven) {
    noticeGiven = true;
    warn(notice);
  }
  return new OnsMqttClient({
    ...coreOptionsFromCredentials(credentials, env),
    ...coreOptionsFromNodeOptions(options),
    ...(sharedLimit ? { sharedLimit } : {}),
    ...(warn ? { warn } : {}),
  });
}

/** n8n credential test: the credential exchange, then a real signed request, answered in plain words. */
export async function alibabaCloudMqttExtrasApiTest(
  this: ICredentialTestFunctions,
  credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
  const result = await checkCredentials(coreOptionsFromCredentials(credential.data ?? {}));
  return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
