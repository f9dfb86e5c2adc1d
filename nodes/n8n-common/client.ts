import type {
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  ICredentialsDecrypted,
  INodeCredentialTestResult,
  IDataObject,
} from 'n8n-workflow';
import {
  checkCredentials,
  credentialFromFields,
  OnsMqttClient,
  proxyFromFields,
  queueModeNotice,
  sharedLimitFromEnvironment,
  type OnsMqttClientOptions,
} from '../../lib/internal';

/** Credential fields of `alibabaCloudMqttApi` -> core client options (the core validates them). */
export function coreOptionsFromCredentials(
  c: ICredentialDataDecryptedObject,
  env: NodeJS.ProcessEnv = process.env,
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

/** The node's "Options" collection -> core client options. */
export function coreOptionsFromNodeOptions(options: IDataObject): Partial<OnsMqttClientOptions> {
  const out: Partial<OnsMqttClientOptions> = {};
  if (options.timeout !== undefined) out.timeoutMs = options.timeout as number;
  if (options.maxAttempts !== undefined) out.retry = { maxAttempts: options.maxAttempts as number };
  if (options.maxRequestsPerSecond !== undefined) out.maxRequestsPerSecond = options.maxRequestsPerSecond as number;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency as number;
  return out;
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
  env: NodeJS.ProcessEnv = process.env,
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

/** n8n credential test: a real signed request, answered in plain words. */
export async function alibabaCloudMqttApiTest(
  this: ICredentialTestFunctions,
  credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
  const result = await checkCredentials(coreOptionsFromCredentials(credential.data ?? {}));
  return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
