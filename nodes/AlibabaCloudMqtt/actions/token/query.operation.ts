import type { IDataObject } from 'n8n-workflow';
import { runTokenOperation } from '../../../../lib/internal';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';
import { tokenParameter } from './token-parameter';

/** QueryToken: whether a token is still valid. */
export const query: N8nOperation = {
  resource: 'token',
  option: {
    name: 'Query',
    value: 'query',
    description: 'Check whether a token is still valid',
    action: 'Query a token',
  },
  subtitle: 'Query Token',
  outputs: ['Result'],
  properties: [instanceIdParameter, tokenParameter],
  parameters: ['instanceId', 'token'],
  async run({ params, client, signal }) {
    const request = {
      operation: 'query' as const,
      instanceId: params.instanceId as string,
      token: params.token as string,
    };
    return { output: 0, json: (await runTokenOperation(client, request, { signal })).fields as IDataObject };
  },
};
