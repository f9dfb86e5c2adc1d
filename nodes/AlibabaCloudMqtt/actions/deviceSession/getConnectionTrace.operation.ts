import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OnsMqttClient } from '../../../../lib';
import { clientIdParameter, instanceIdParameter } from '../common';
import { runPerItem } from '../per-item';

const show = { resource: ['deviceSession'], operation: ['getConnectionTrace'] };

export const description: INodeProperties[] = [
  { ...clientIdParameter('MQTT Client ID of the device whose connection history to read'), displayOptions: { show } },
  { ...instanceIdParameter, displayOptions: { show } },
  {
    displayName: 'From',
    name: 'from',
    type: 'dateTime',
    default: '={{ $now.minus({ hours: 24 }).toISO() }}',
    required: true,
    description: 'Start of the time range (the console limits a trace query to one day)',
    displayOptions: { show },
  },
  {
    displayName: 'To',
    name: 'to',
    type: 'dateTime',
    default: '={{ $now.toISO() }}',
    required: true,
    description: 'End of the time range',
    displayOptions: { show },
  },
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
    displayOptions: { show },
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    // HOST_TRACE_LIMIT (lib/host/mapping.ts); a literal, as n8n's linter reads it.
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { ...show, returnAll: [false] } },
  },
];

/** "Return all" still has a ceiling, so that a device flapping all day cannot exhaust memory. */
const RETURN_ALL_CEILING = 10_000;

/** QueryMqttTraceDevice per item: one output item per connection event, newest first. */
export async function execute(
  this: IExecuteFunctions,
  client: OnsMqttClient,
  items: INodeExecutionData[],
  signal?: AbortSignal,
): Promise<INodeExecutionData[][]> {
  return runPerItem(this, items, 1, ['clientId', 'instanceId', 'from', 'to'], async (params, index) => {
    const clientId = params.clientId as string;
    const instanceId = params.instanceId as string;
    const returnAll = this.getNodeParameter('returnAll', index, false) as boolean;
    const limit = returnAll ? RETURN_ALL_CEILING : (this.getNodeParameter('limit', index, 50) as number);
    const events = await client.queryConnectionTrace({ clientId, instanceId, from: params.from as string, to: params.to as string, limit }, { signal });
    return { output: 0, many: events.map((event) => ({ clientId, instanceId, ...event })) };
  });
}
