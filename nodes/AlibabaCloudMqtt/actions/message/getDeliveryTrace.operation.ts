import { instanceIdParameter, msgIdParameter, traceRangeParameters } from '../../../n8n-common/parameters';
import { messageTraceOperation } from './message-trace-operation';

/** QueryMqttTraceMessageSubscribe: which clients received a message, and when. */
export const getDeliveryTrace = messageTraceOperation('deliveries', {
  option: {
    name: 'Get Delivery Trace',
    value: 'getDeliveryTrace',
    description: 'Which clients received a message, and when',
    action: 'Get the delivery trace of a message',
  },
  subtitle: 'Get Delivery Trace',
  properties: [
    instanceIdParameter,
    msgIdParameter,
    {
      displayName: 'Client ID',
      name: 'clientId',
      type: 'string',
      default: '',
      placeholder: 'GID_group@@@device',
      description: 'Only the deliveries to this client (empty: to every client that received it)',
    },
    ...traceRangeParameters({ limit: true }),
  ],
  parameters: ['instanceId', 'msgId', 'clientId', 'from', 'to'],
});
