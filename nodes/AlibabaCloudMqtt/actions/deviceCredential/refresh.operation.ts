import { credentialOperation } from './credential-operation';

export const refresh = credentialOperation(
  'refresh',
  {
    name: 'Refresh',
    value: 'refresh',
    description: 'Give the device a new secret; the old one stops working',
    action: 'Refresh a device credential',
  },
  'Refresh Credential',
);
