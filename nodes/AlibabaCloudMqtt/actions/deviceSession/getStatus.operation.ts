import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { OnsMqttError, type OnsMqttClient } from '../../../../lib';
import { clientIdParameter, instanceIdParameter, offlineDetailsParameter, routeErrorsParameter } from '../common';
import { readItemParameters } from '../item-parameters';
import type { ItemOutcome } from '../routing';

const show = { resource: ['deviceSession'], operation: ['getStatus'] };

export const description: INodeProperties[] = [
  { ...clientIdParameter('MQTT Client ID of the device (GroupID@@@DeviceID)'), displayOptions: { show } },
  { ...instanceIdParameter, displayOptions: { show } },
  { ...offlineDetailsParameter, displayOptions: { show } },
  { ...routeErrorsParameter, displayOptions: { show } },
];

/** QuerySessionByClientId for each item, concurrently within the core's rate limit. */
export async function execute(this: IExecuteFunctions, client: OnsMqttClient, items: INodeExecutionData[], signal?: AbortSignal): Promise<ItemOutcome[]> {
  const offlineDetails = this.getNodeParameter('offlineDetails', 0, false) as boolean;
  return Promise.all(
    items.map(async (_item, index): Promise<ItemOutcome> => {
      const params = readItemParameters(this, ['clientId', 'instanceId'], index);
      if (params instanceof OnsMqttError) return { index, clientId: undefined, instanceId: undefined, error: params };
      try {
        const status = await client.querySession({ clientId: params.clientId as string, instanceId: params.instanceId as string }, { signal, offlineDetails });
        return { index, status };
      } catch (error) {
        return { index, clientId: params.clientId, instanceId: params.instanceId, error: error as OnsMqttError };
      }
    }),
  );
}
