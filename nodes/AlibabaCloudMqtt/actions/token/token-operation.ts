import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { runTokenOperation } from '../../../../lib/portable';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** The token to query or revoke, by default the item's own `token` field. */
export const tokenParameter: INodeProperties = {
  displayName: 'Token',
  name: 'token',
  type: 'string',
  typeOptions: { password: true },
  default: '={{ $json.token }}',
  required: true,
};

/** Query or Revoke: the item's token through the core's token operation of that name. */
export function existingTokenOperation(
  operation: 'query' | 'revoke',
  option: N8nOperation['option'],
  subtitle: string,
): N8nOperation {
  return {
    resource: 'token',
    option,
    subtitle,
    outputs: ['Result'],
    properties: [instanceIdParameter, tokenParameter],
    parameters: ['instanceId', 'token'],
    async run({ params, client, signal }) {
      const request = { operation, instanceId: params.instanceId as string, token: params.token as string };
      return { output: 0, json: (await runTokenOperation(client, request, { signal })).fields as IDataObject };
    },
  };
}
