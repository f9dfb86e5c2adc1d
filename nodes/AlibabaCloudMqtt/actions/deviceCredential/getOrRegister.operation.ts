import { credentialOperation } from './credential-operation';

export const getOrRegister = credentialOperation(
  'getOrRegister',
  {
    name: 'Get or Register',
    value: 'getOrRegister',
    description: 'Get the credential, register one only if there is none: safe to run again',
    action: 'Get or register a device credential',
  },
  'Get or Register Credential',
);
