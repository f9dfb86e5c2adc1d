import {
  clientIdParameter,
  instanceIdParameter,
  offlineDetailsParameter,
  routeErrorsParameter,
} from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** The item's device through BatchQuerySessionByClientIds, 10 items of one instance per request. */
export const getManyStatuses: N8nOperation = {
  resource: 'deviceSession',
  option: {
    name: 'Get Many Statuses',
    value: 'getManyStatuses',
    description: 'Check many devices at once, 10 per request (answered from the service cache)',
    action: 'Get the online status of many devices',
  },
  subtitle: 'Get Many Statuses',
  outputs: 'status',
  properties: [
    {
      displayName:
        'Checks all items with BatchQuerySessionByClientIds, 10 Client IDs per request. The service answers batch queries from an internal cache that can lag behind the real state: use Get Status when an exact answer matters more than the number of requests.',
      name: 'batchNotice',
      type: 'notice',
      default: '',
    },
    clientIdParameter(
      'MQTT Client ID of the device in each item. Items are sent 10 per request; the answers come from the service cache and may lag slightly.',
    ),
    instanceIdParameter,
    offlineDetailsParameter,
    routeErrorsParameter,
  ],
  parameters: ['clientId', 'instanceId'],
  async run({ ctx, index, params, batch }) {
    const offlineDetails = ctx.getNodeParameter('offlineDetails', index, false) as boolean;
    return { status: await batch(offlineDetails).query(params.clientId, params.instanceId) };
  },
};
