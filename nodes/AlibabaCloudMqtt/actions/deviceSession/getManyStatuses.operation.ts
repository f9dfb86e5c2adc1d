import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { displayValue, invalidInput, isSessionFailure, OnsMqttError, type OnsMqttClient } from '../../../../lib';
import { clientIdParameter, instanceIdParameter, offlineDetailsParameter, routeErrorsParameter } from '../common';
import type { ItemOutcome } from '../routing';
import { readItemParameters } from '../item-parameters';

const show = { resource: ['deviceSession'], operation: ['getManyStatuses'] };

export const description: INodeProperties[] = [
  {
    displayName:
      'Checks all items with BatchQuerySessionByClientIds, 10 Client IDs per request. The service answers batch queries from an internal cache that can lag behind the real state: use Get Status when an exact answer matters more than the number of requests.',
    name: 'batchNotice',
    type: 'notice',
    default: '',
    displayOptions: { show },
  },
  {
    ...clientIdParameter(
      'MQTT Client ID of the device in each item. Items are sent 10 per request; the answers come from the service cache and may lag slightly.',
    ),
    displayOptions: { show },
  },
  { ...instanceIdParameter, displayOptions: { show } },
  { ...offlineDetailsParameter, displayOptions: { show } },
  { ...routeErrorsParameter, displayOptions: { show } },
];

/** All items through the core's batch mode, grouped by instance; one outcome per item. */
export async function execute(this: IExecuteFunctions, client: OnsMqttClient, items: INodeExecutionData[], signal?: AbortSignal): Promise<ItemOutcome[]> {
  const offlineDetails = this.getNodeParameter('offlineDetails', 0, false) as boolean;
  const outcomes: ItemOutcome[] = [];
  const byInstance = new Map<string, Array<{ index: number; clientId: unknown }>>();
  items.forEach((_item, index) => {
    const params = readItemParameters(this, ['clientId', 'instanceId'], index);
    if (params instanceof OnsMqttError) {
      outcomes.push({ index, clientId: undefined, instanceId: undefined, error: params });
      return;
    }
    const { clientId, instanceId } = params;
    // Grouped by the instance as written; one that is not text is refused for its item alone.
    if (typeof instanceId !== 'string') {
      const error = invalidInput('instanceId', `expected a non-empty string such as "post-cn-xxxxxxxx", got ${displayValue(instanceId) || 'nothing'}.`);
      outcomes.push({ index, clientId, instanceId: displayValue(instanceId), error });
      return;
    }
    const key = instanceId;
    let group = byInstance.get(key);
    if (!group) byInstance.set(key, (group = []));
    group.push({ index, clientId });
  });
  for (const [instanceId, group] of byInstance) {
    const results = await client.querySessions({ clientIds: group.map((g) => g.clientId), instanceId, mode: 'batch' }, { signal, offlineDetails });
    results.forEach((result, k) => {
      const index = group[k].index;
      outcomes.push(isSessionFailure(result) ? { index, clientId: group[k].clientId, instanceId, error: result.error } : { index, status: result });
    });
  }
  return outcomes;
}
