import { credentialOperation } from './credential-operation';

export const register = credentialOperation(
  'register',
  {
    name: 'Register',
    value: 'register',
    description: 'Register a new credential; replaces the current one',
    action: 'Register a device credential',
  },
  'Register Credential',
);
