import type { IDataObject } from 'n8n-workflow';
import { runTokenOperation } from '../../../../lib/internal';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';
import { tokenParameter } from './token-parameter';

/** RevokeToken: the token stops working at once. */
export const revoke: N8nOperation = {
  resource: 'token',
  option: {
    name: 'Revoke',
    value: 'revoke',
    description: 'Make a token invalid at once (5 requests per second)',
    action: 'Revoke a token',
  },
  subtitle: 'Revoke Token',
  outputs: ['Result'],
  properties: [instanceIdParameter, tokenParameter],
  parameters: ['instanceId', 'token'],
  async run({ params, client, signal }) {
    const request = {
      operation: 'revoke' as const,
      instanceId: params.instanceId as string,
      token: params.token as string,
    };
    return { output: 0, json: (await runTokenOperation(client, request, { signal })).fields as IDataObject };
  },
};
