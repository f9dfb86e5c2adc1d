import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { runDeviceCredentialOperation, type DeviceCredentialOperation } from '../../../../lib/portable';
import { clientIdParameter, instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

const secretNotice: INodeProperties = {
  displayName:
    "The output holds the device's secret (deviceAccessKeySecret and the MQTT password) because the flow needs it to hand to the device. Send it over a safe channel, and consider turning off saving successful executions for this workflow. It is never put in an error or a log.",
  name: 'secretNotice',
  type: 'notice',
  default: '',
};

const connectOptions: INodeProperties = {
  displayName: 'Add MQTT Connect Options',
  name: 'connectOptions',
  type: 'boolean',
  default: true,
  description:
    'Whether to add mqtt: { clientId, username, password }, what the device passes to CONNECT (DeviceCredential mode)',
};

/** A Device Credential operation: the item's device through the core's operation of that name. */
export function credentialOperation(
  operation: DeviceCredentialOperation,
  option: N8nOperation['option'],
  subtitle: string,
): N8nOperation {
  const withSecret = operation !== 'unregister';
  return {
    resource: 'deviceCredential',
    option,
    subtitle,
    outputs: ['Result'],
    properties: [
      ...(withSecret ? [secretNotice] : []),
      clientIdParameter('MQTT Client ID of the device (GroupID@@@DeviceID)'),
      instanceIdParameter,
      ...(withSecret ? [connectOptions] : []),
    ],
    parameters: ['clientId', 'instanceId'],
    async run({ ctx, index, params, client, signal }) {
      const ref = { clientId: params.clientId as string, instanceId: params.instanceId as string };
      const withConnectOptions = withSecret && (ctx.getNodeParameter('connectOptions', index, true) as boolean);
      const { fields } = await runDeviceCredentialOperation(client, operation, ref, { signal, withConnectOptions });
      return { output: 0, json: fields as IDataObject };
    },
  };
}
