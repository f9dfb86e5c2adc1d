import type { INodeProperties } from 'n8n-workflow';

/** The token to query or revoke, by default the item's own `token` field. */
export const tokenParameter: INodeProperties = {
  displayName: 'Token',
  name: 'token',
  type: 'string',
  typeOptions: { password: true },
  default: '={{ $json.token }}',
  required: true,
};
