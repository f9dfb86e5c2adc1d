import { getClientMessages } from './getClientMessages.operation';
import { getDeliveryTrace } from './getDeliveryTrace.operation';
import { getPublishTrace } from './getPublishTrace.operation';
import { send } from './send.operation';

/** The Message resource's operations, the first one its default. */
export const message = [send, getPublishTrace, getDeliveryTrace, getClientMessages];
