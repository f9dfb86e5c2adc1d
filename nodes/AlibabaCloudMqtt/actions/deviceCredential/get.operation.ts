import { credentialOperation } from './credential-operation';

export const get = credentialOperation(
  'get',
  {
    name: 'Get',
    value: 'get',
    description: "Get a device's credential (none: found is false)",
    action: 'Get a device credential',
  },
  'Get Credential',
);
