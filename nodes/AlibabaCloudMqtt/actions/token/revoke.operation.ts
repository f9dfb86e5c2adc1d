import { existingTokenOperation } from './token-operation';

/** RevokeToken: the token stops working at once. */
export const revoke = existingTokenOperation(
  'revoke',
  {
    name: 'Revoke',
    value: 'revoke',
    description: 'Make a token invalid at once (5 requests per second)',
    action: 'Revoke a token',
  },
  'Revoke Token',
);
