import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { failureJson, nodeErrorFor, routingMode } from '../routing';
import { OnsMqttError, type OnsMqttClient } from '../../../../lib';
import { clientIdParameter, instanceIdParameter } from '../common';
import { readItemParameters } from '../item-parameters';

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
  const out: INodeExecutionData[] = [];
  for (let index = 0; index < items.length; index++) {
    const params = readItemParameters(this, ['clientId', 'instanceId', 'from', 'to'], index);
    if (params instanceof OnsMqttError) {
      out.push(failedItem(this, items, params, index, { clientId: undefined, instanceId: undefined }));
      continue;
    }
    const { clientId, instanceId } = params;
    try {
      const returnAll = this.getNodeParameter('returnAll', index, false) as boolean;
      const limit = returnAll ? RETURN_ALL_CEILING : (this.getNodeParameter('limit', index, 50) as number);
      const events = await client.queryConnectionTrace(
        {
          clientId: clientId as string,
          instanceId: instanceId as string,
          from: params.from as string,
          to: params.to as string,
          limit,
        },
        { signal },
      );
      for (const event of events) out.push({ json: { clientId: clientId as string, instanceId: instanceId as string, ...event }, pairedItem: { item: index } });
    } catch (caught) {
      const error = caught instanceof OnsMqttError ? caught : new OnsMqttError({ code: 'InvalidInput', message: String(caught) });
      out.push(failedItem(this, items, error, index, { clientId, instanceId }));
    }
  }
  return [out];
}

/** A failed item: shaped like every other operation's under "Continue", thrown otherwise. */
function failedItem(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  error: OnsMqttError,
  index: number,
  ids: { clientId: unknown; instanceId: unknown },
): INodeExecutionData {
  const mode = routingMode(ctx, false);
  if (mode.onError === 'stopWorkflow') throw nodeErrorFor(ctx, { index, error, ...ids });
  return { json: failureJson(mode, items[index]?.json ?? {}, error, ids), pairedItem: { item: index } };
}

/** Every item fails with the same setup error (bad credentials or options). */
export async function failAll(this: IExecuteFunctions, items: INodeExecutionData[], error: OnsMqttError): Promise<INodeExecutionData[][]> {
  return [items.map((_item, index) => failedItem(this, items, error, index, { clientId: undefined, instanceId: undefined }))];
}
