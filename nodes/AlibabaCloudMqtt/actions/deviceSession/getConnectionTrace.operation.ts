import { clientIdParameter, instanceIdParameter, traceRangeParameters } from '../../../n8n-common/parameters';
import { traceLimit, type N8nOperation } from '../operation';

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
    ...traceRangeParameters({ limit: true }),
  ],
  parameters: ['clientId', 'instanceId', 'from', 'to'],
  async run({ ctx, index, params, client, signal }) {
    const clientId = params.clientId as string;
    const instanceId = params.instanceId as string;
    const limit = traceLimit(ctx, index);
    const events = await client.queryConnectionTrace(
      { clientId, instanceId, from: params.from as string, to: params.to as string, limit },
      { signal },
    );
    return { output: 0, many: events.map((event) => ({ clientId, instanceId, ...event })) };
  },
};
