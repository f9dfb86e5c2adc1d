import { send } from './send.operation';

/** The Message resource's operations, the first one its default. */
export const message = [send];
