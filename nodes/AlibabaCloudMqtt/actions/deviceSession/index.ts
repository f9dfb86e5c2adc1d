import { getConnectionTrace } from './getConnectionTrace.operation';
import { getManyStatuses } from './getManyStatuses.operation';
import { getStatus } from './getStatus.operation';
import { waitUntilOnline } from './waitUntilOnline.operation';

/** The Device Session resource's operations, the first one its default. */
export const deviceSession = [getStatus, getManyStatuses, getConnectionTrace, waitUntilOnline];
