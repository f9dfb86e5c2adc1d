import { instanceIdParameter, msgIdParameter, traceRangeParameters } from '../../../n8n-common/parameters';
import { messageTraceOperation } from './message-trace-operation';

/** QueryMqttTraceMessagePublish: when, and by which client, a message was sent. */
export const getPublishTrace = messageTraceOperation('publish', {
  option: {
    name: 'Get Publish Trace',
    value: 'getPublishTrace',
    description: 'When and by which client a message was sent',
    action: 'Get the publish trace of a message',
  },
  subtitle: 'Get Publish Trace',
  properties: [instanceIdParameter, msgIdParameter, ...traceRangeParameters({ limit: false })],
  parameters: ['instanceId', 'msgId', 'from', 'to'],
});
