import { credentialOperation } from './credential-operation';

export const unregister = credentialOperation(
  'unregister',
  {
    name: 'Unregister',
    value: 'unregister',
    description: "Delete the device's credential",
    action: 'Unregister a device credential',
  },
  'Unregister Credential',
);
