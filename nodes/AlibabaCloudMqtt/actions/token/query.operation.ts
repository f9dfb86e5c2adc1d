import { existingTokenOperation } from './token-operation';

/** QueryToken: whether a token is still valid. */
export const query = existingTokenOperation(
  'query',
  { name: 'Query', value: 'query', description: 'Check whether a token is still valid', action: 'Query a token' },
  'Query Token',
);
