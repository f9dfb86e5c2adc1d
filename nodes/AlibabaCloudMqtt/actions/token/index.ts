import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OnsMqttClient, TokenActions } from '../../../../lib';
import { runTokenOperation, type TokenRequest } from '../../../../lib/host/operations';
import { instanceIdParameter } from '../common';
import { runPerItem } from '../per-item';

const resource = ['token'];

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource } },
    options: [
      { name: 'Apply', value: 'apply', description: 'Get a token for the Token login mode: topics, read or write, expiry', action: 'Apply for a token' },
      { name: 'Query', value: 'query', description: 'Check whether a token is still valid', action: 'Query a token' },
      { name: 'Revoke', value: 'revoke', description: 'Make a token invalid at once (5 requests per second)', action: 'Revoke a token' },
    ],
    default: 'apply',
  },
  { ...instanceIdParameter, displayOptions: { show: { resource } } },
  {
    displayName: 'Topics',
    name: 'resources',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'sensors/device-001,sensors/device-001/config',
    description: 'The topics the token allows, comma-separated (at most 100)',
    displayOptions: { show: { resource, operation: ['apply'] } },
  },
  {
    displayName: 'Access',
    name: 'actions',
    type: 'options',
    options: [
      { name: 'Read (Subscribe)', value: 'R' },
      { name: 'Write (Publish)', value: 'W' },
      { name: 'Read and Write', value: 'R,W' },
    ],
    default: 'R,W',
    displayOptions: { show: { resource, operation: ['apply'] } },
  },
  {
    displayName: 'Valid For (Minutes)',
    name: 'validMinutes',
    type: 'number',
    typeOptions: { minValue: 1, maxValue: 43200 },
    default: 60,
    description: 'From 1 minute to 30 days',
    displayOptions: { show: { resource, operation: ['apply'] } },
  },
  {
    displayName: 'Token',
    name: 'token',
    type: 'string',
    typeOptions: { password: true },
    default: '={{ $json.token }}',
    required: true,
    displayOptions: { show: { resource, operation: ['query', 'revoke'] } },
  },
];

export async function execute(
  this: IExecuteFunctions,
  client: OnsMqttClient,
  items: INodeExecutionData[],
  signal?: AbortSignal,
): Promise<INodeExecutionData[][]> {
  const operation = this.getNodeParameter('operation', 0) as string;
  const names = operation === 'apply' ? ['instanceId', 'resources', 'actions', 'validMinutes'] : ['instanceId', 'token'];
  return runPerItem(this, items, 1, names, async (params) => {
    const instanceId = params.instanceId as string;
    const request: TokenRequest =
      operation === 'apply'
        ? { operation, instanceId, resources: params.resources as string, actions: params.actions as TokenActions, validMinutes: Number(params.validMinutes) }
        : operation === 'query' || operation === 'revoke'
          ? { operation, instanceId, token: params.token as string }
          : unsupported(operation);
    return { output: 0, json: (await runTokenOperation(client, request, { signal })).fields as IDataObject };
  });
}

function unsupported(operation: string): never {
  throw new Error(`The operation "${operation}" is not supported.`);
}
