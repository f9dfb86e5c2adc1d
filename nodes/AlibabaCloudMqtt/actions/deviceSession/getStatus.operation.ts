import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { OnsMqttError, type OnsMqttClient } from '../../../../lib';
import { clientIdParameter, instanceIdParameter, routeErrorsParameter } from '../common';
import type { ItemOutcome } from '../routing';

const show = { resource: ['deviceSession'], operation: ['getStatus'] };

export const description: INodeProperties[] = [
  { ...clientIdParameter('MQTT Client ID of the device (GroupID@@@DeviceID)'), displayOptions: { show } },
  { ...instanceIdParameter, displayOptions: { show } },
  { ...routeErrorsParameter, displayOptions: { show } },
];

/**
 * Read one item's parameters. An expression that fails is a bad parameter for that item only:
 * it becomes that item's InvalidInput outcome instead of stopping the whole node.
 */
export function readItemParameters(ctx: IExecuteFunctions, names: readonly string[], index: number): Record<string, unknown> | OnsMqttError {
  const values: Record<string, unknown> = {};
  for (const name of names) {
    try {
      values[name] = ctx.getNodeParameter(name, index);
    } catch (error) {
      return new OnsMqttError({ code: 'InvalidInput', field: name, message: `${name}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return values;
}

/** QuerySessionByClientId for each item, concurrently within the core's rate limit. */
export async function execute(this: IExecuteFunctions, client: OnsMqttClient, items: INodeExecutionData[], signal?: AbortSignal): Promise<ItemOutcome[]> {
  return Promise.all(
    items.map(async (_item, index): Promise<ItemOutcome> => {
      const params = readItemParameters(this, ['clientId', 'instanceId'], index);
      if (params instanceof OnsMqttError) return { index, clientId: undefined, instanceId: undefined, error: params };
      try {
        const status = await client.querySession({ clientId: params.clientId as string, instanceId: params.instanceId as string }, { signal });
        return { index, status };
      } catch (error) {
        return { index, clientId: params.clientId, instanceId: params.instanceId, error: error as OnsMqttError };
      }
    }),
  );
}
