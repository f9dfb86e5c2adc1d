import type { IDataObject } from 'n8n-workflow';
import { sentMessageFields } from '../../../../lib/portable';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** SendMessage: publish to a topic; a subscribed device receives it. */
export const send: N8nOperation = {
  resource: 'message',
  option: {
    name: 'Send',
    value: 'send',
    description: 'Publish a message to a topic (a subscribed device receives it)',
    action: 'Send a message to a topic',
  },
  subtitle: 'Send Message',
  outputs: ['Result'],
  properties: [
    instanceIdParameter,
    {
      displayName: 'Topic',
      name: 'topic',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'devices/device-001/config',
    },
    {
      displayName: 'Payload',
      name: 'payload',
      type: 'string',
      typeOptions: { rows: 4 },
      default: '={{ JSON.stringify($json.config ?? {}) }}',
      description: 'The message text (an object is sent as JSON); at most 64 KB',
    },
  ],
  parameters: ['instanceId', 'topic', 'payload'],
  async run({ params, client, signal }) {
    const sent = await client.sendMessage(
      { instanceId: params.instanceId as string, topic: params.topic as string, payload: params.payload as string },
      { signal },
    );
    return { output: 0, json: sentMessageFields(sent) as unknown as IDataObject };
  },
};
