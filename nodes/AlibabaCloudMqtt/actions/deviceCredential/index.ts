import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OnsMqttClient } from '../../../../lib';
import { DEVICE_CREDENTIAL_OPERATIONS, runDeviceCredentialOperation, type DeviceCredentialOperation } from '../../../../lib/host/operations';
import { clientIdParameter, instanceIdParameter } from '../common';
import { runPerItem } from '../per-item';

const resource = ['deviceCredential'];
const withSecret = ['get', 'register', 'getOrRegister', 'refresh'];

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource } },
    options: [
      { name: 'Get', value: 'get', description: "Get a device's credential (none: found is false)", action: 'Get a device credential' },
      {
        name: 'Get or Register',
        value: 'getOrRegister',
        description: 'Get the credential, register one only if there is none: safe to run again',
        action: 'Get or register a device credential',
      },
      { name: 'Refresh', value: 'refresh', description: 'Give the device a new secret; the old one stops working', action: 'Refresh a device credential' },
      { name: 'Register', value: 'register', description: 'Register a new credential; replaces the current one', action: 'Register a device credential' },
      { name: 'Unregister', value: 'unregister', description: "Delete the device's credential", action: 'Unregister a device credential' },
    ],
    default: 'getOrRegister',
  },
  {
    displayName:
      "The output holds the device's secret (deviceAccessKeySecret and the MQTT password) because the flow needs it to hand to the device. Send it over a safe channel, and consider turning off saving successful executions for this workflow. It is never put in an error or a log.",
    name: 'secretNotice',
    type: 'notice',
    default: '',
    displayOptions: { show: { resource, operation: withSecret } },
  },
  { ...clientIdParameter('MQTT Client ID of the device (GroupID@@@DeviceID)'), displayOptions: { show: { resource } } },
  { ...instanceIdParameter, displayOptions: { show: { resource } } },
  {
    displayName: 'Add MQTT Connect Options',
    name: 'connectOptions',
    type: 'boolean',
    default: true,
    description: 'Whether to add mqtt: { clientId, username, password }, what the device passes to CONNECT (DeviceCredential mode)',
    displayOptions: { show: { resource, operation: withSecret } },
  },
];

/** One output: each item with the credential (or the removal) added. */
export async function execute(
  this: IExecuteFunctions,
  client: OnsMqttClient,
  items: INodeExecutionData[],
  signal?: AbortSignal,
): Promise<INodeExecutionData[][]> {
  const operation = this.getNodeParameter('operation', 0) as string;
  return runPerItem(this, items, 1, ['clientId', 'instanceId'], async (params, index) => {
    if (!DEVICE_CREDENTIAL_OPERATIONS.includes(operation as DeviceCredentialOperation)) throw new Error(`The operation "${operation}" is not supported.`);
    const ref = { clientId: params.clientId as string, instanceId: params.instanceId as string };
    const withConnectOptions = this.getNodeParameter('connectOptions', index, true) as boolean;
    const { fields } = await runDeviceCredentialOperation(client, operation as DeviceCredentialOperation, ref, { signal, withConnectOptions });
    return { output: 0, json: fields as IDataObject };
  });
}
