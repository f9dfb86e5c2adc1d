import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OnsMqttClient } from '../../../../lib';
import { sentMessageFields } from '../../../../lib/host/operations';
import { instanceIdParameter } from '../common';
import { runPerItem } from '../per-item';

const resource = ['message'];

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource } },
    options: [
      { name: 'Send', value: 'send', description: 'Publish a message to a topic (a subscribed device receives it)', action: 'Send a message to a topic' },
    ],
    default: 'send',
  },
  { ...instanceIdParameter, displayOptions: { show: { resource } } },
  {
    displayName: 'Topic',
    name: 'topic',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'devices/device-001/config',
    displayOptions: { show: { resource } },
  },
  {
    displayName: 'Payload',
    name: 'payload',
    type: 'string',
    typeOptions: { rows: 4 },
    default: '={{ JSON.stringify($json.config ?? {}) }}',
    description: 'The message text (an object is sent as JSON); at most 64 KB',
    displayOptions: { show: { resource } },
  },
];

export async function execute(
  this: IExecuteFunctions,
  client: OnsMqttClient,
  items: INodeExecutionData[],
  signal?: AbortSignal,
): Promise<INodeExecutionData[][]> {
  return runPerItem(this, items, 1, ['instanceId', 'topic', 'payload'], async (params) => {
    const sent = await client.sendMessage(
      { instanceId: params.instanceId as string, topic: params.topic as string, payload: params.payload as string },
      { signal },
    );
    return { output: 0, json: sentMessageFields(sent) as unknown as IDataObject };
  });
}
