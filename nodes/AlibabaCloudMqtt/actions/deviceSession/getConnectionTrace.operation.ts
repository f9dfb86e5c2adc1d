import { HOST_TRACE_LIMIT, RETURN_ALL_CEILING } from '../../../../lib/host/mapping';
import { clientIdParameter, instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** QueryMqttTraceDevice for the item's device: one output item per connection event, newest first. */
export const getConnectionTrace: N8nOperation = {
  resource: 'deviceSession',
  option: {
    name: 'Get Connection Trace',
    value: 'getConnectionTrace',
    description: 'Get the connect and disconnect events of a device, with reasons',
    action: 'Get the connection trace of a device',
  },
  subtitle: 'Get Connection Trace',
  outputs: ['Events'],
  properties: [
    clientIdParameter('MQTT Client ID of the device whose connection history to read'),
    instanceIdParameter,
    {
      displayName: 'From',
      name: 'from',
      type: 'dateTime',
      default: '={{ $now.minus({ hours: 24 }).toISO() }}',
      required: true,
      description: 'Start of the time range (the console limits a trace query to one day)',
    },
    {
      displayName: 'To',
      name: 'to',
      type: 'dateTime',
      default: '={{ $now.toISO() }}',
      required: true,
      description: 'End of the time range',
    },
    {
      displayName: 'Return All',
      name: 'returnAll',
      type: 'boolean',
      default: false,
      description: 'Whether to return all results or only up to a given limit',
    },
    {
      displayName: 'Limit',
      name: 'limit',
      type: 'number',
      typeOptions: { minValue: 1 },
      // HOST_TRACE_LIMIT (lib/host/mapping.ts); a literal, as n8n's linter reads it.
      default: 50,
      description: 'Max number of results to return',
      displayOptions: { show: { returnAll: [false] } },
    },
  ],
  parameters: ['clientId', 'instanceId', 'from', 'to'],
  async run({ ctx, index, params, client, signal }) {
    const clientId = params.clientId as string;
    const instanceId = params.instanceId as string;
    const returnAll = ctx.getNodeParameter('returnAll', index, false) as boolean;
    const limit = returnAll ? RETURN_ALL_CEILING : (ctx.getNodeParameter('limit', index, HOST_TRACE_LIMIT) as number);
    const events = await client.queryConnectionTrace({ clientId, instanceId, from: params.from as string, to: params.to as string, limit }, { signal });
    return { output: 0, many: events.map((event) => ({ clientId, instanceId, ...event })) };
  },
};
