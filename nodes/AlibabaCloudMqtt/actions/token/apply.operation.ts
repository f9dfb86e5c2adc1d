import type { IDataObject } from 'n8n-workflow';
import { runTokenOperation, type TokenActions } from '../../../../lib/portable';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** ApplyToken: a token for the Token login mode. */
export const apply: N8nOperation = {
  resource: 'token',
  option: {
    name: 'Apply',
    value: 'apply',
    description: 'Get a token for the Token login mode: topics, read or write, expiry',
    action: 'Apply for a token',
  },
  subtitle: 'Apply Token',
  outputs: ['Result'],
  properties: [
    instanceIdParameter,
    {
      displayName: 'Topics',
      name: 'resources',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'sensors/device-001,sensors/device-001/config',
      description: 'The topics the token allows, comma-separated (at most 100)',
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
    },
    {
      displayName: 'Valid For (Minutes)',
      name: 'validMinutes',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 43200 },
      default: 60,
      description: 'From 1 minute to 30 days',
    },
  ],
  parameters: ['instanceId', 'resources', 'actions', 'validMinutes'],
  async run({ params, client, signal }) {
    const request = {
      operation: 'apply' as const,
      instanceId: params.instanceId as string,
      resources: params.resources as string,
      actions: params.actions as TokenActions,
      validMinutes: Number(params.validMinutes),
    };
    return { output: 0, json: (await runTokenOperation(client, request, { signal })).fields as IDataObject };
  },
};
