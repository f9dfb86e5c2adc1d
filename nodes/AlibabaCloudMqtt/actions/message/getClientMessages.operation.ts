import { clientIdParameter, instanceIdParameter, traceRangeParameters } from '../../../n8n-common/parameters';
import { messageTraceOperation } from './message-trace-operation';

/** QueryMqttTraceMessageOfClient: the messages a client sent or received in a time range. */
export const getClientMessages = messageTraceOperation('client', {
  option: {
    name: 'Get Client Messages',
    value: 'getClientMessages',
    description: 'The messages a client sent or received in a time range',
    action: 'Get the messages of a client',
  },
  subtitle: 'Get Client Messages',
  properties: [
    clientIdParameter('MQTT Client ID whose messages to list (GroupID@@@DeviceID)'),
    instanceIdParameter,
    ...traceRangeParameters({ limit: true }),
  ],
  parameters: ['clientId', 'instanceId', 'from', 'to'],
});
