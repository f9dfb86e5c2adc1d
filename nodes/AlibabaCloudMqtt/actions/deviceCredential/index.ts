import { get } from './get.operation';
import { getOrRegister } from './getOrRegister.operation';
import { refresh } from './refresh.operation';
import { register } from './register.operation';
import { unregister } from './unregister.operation';

/** The Device Credential resource's operations, the first one its default. */
export const deviceCredential = [getOrRegister, get, register, refresh, unregister];
