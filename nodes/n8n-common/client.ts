import type {
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  ICredentialsDecrypted,
  INodeCredentialTestResult,
  IDataObject,
} from 'n8n-workflow';
import { checkCredentials, credentialFromFields, OnsMqttClient, type OnsMqttClientOptions } from '../../lib/portable';
import { credentialTestRuntime, n8nRuntime, type SendingContext } from './n8n-runtime';
import { coreOptionsFromNodeOptions } from './parameters';

/** Credential fields of `alibabaCloudMqttApi` -> core client options (the core validates them). */
export function coreOptionsFromCredentials(c: ICredentialDataDecryptedObject): OnsMqttClientOptions {
  const region = c.region === 'custom' ? c.customRegion : c.region;
  return {
    ...credentialFromFields(c),
    regionId: (region as string) || undefined,
    network: (c.network as OnsMqttClientOptions['network']) || undefined,
    endpoint: (c.endpoint as string) || undefined,
    processesPerIp: typeof c.processesPerIp === 'number' ? c.processesPerIp : undefined,
  };
}

/**
 * The client of one execution or poll, sending through n8n's HTTP helper with the node's
 * credential (nodes/n8n-common/n8n-runtime.ts). In queue mode every worker is a process of its own:
 * the credential's "Processes Sending From This IP" gives each its share of the rate limits.
 * `warn` is n8n's logger.
 */
export function createClient(
  ctx: SendingContext,
  credentials: ICredentialDataDecryptedObject,
  options: IDataObject,
  warn?: (message: string) => void,
): OnsMqttClient {
  return new OnsMqttClient(
    {
      ...coreOptionsFromCredentials(credentials),
      ...coreOptionsFromNodeOptions(options),
      ...(warn ? { warn } : {}),
    },
    n8nRuntime(ctx, credentials),
  );
}

/** n8n credential test: a real signed request, answered in plain words. */
export async function alibabaCloudMqttApiTest(
  this: ICredentialTestFunctions,
  credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
  const result = await checkCredentials(coreOptionsFromCredentials(credential.data ?? {}), credentialTestRuntime(this));
  return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
