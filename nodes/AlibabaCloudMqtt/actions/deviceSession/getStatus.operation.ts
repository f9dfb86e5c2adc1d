import {
  clientIdParameter,
  instanceIdParameter,
  offlineDetailsParameter,
  routeErrorsParameter,
} from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** QuerySessionByClientId for the item's device: routed to Online or Offline. */
export const getStatus: N8nOperation = {
  resource: 'deviceSession',
  option: {
    name: 'Get Status',
    value: 'getStatus',
    description: 'Check whether a device is online (exact, live answer)',
    action: 'Get the online status of a device',
  },
  subtitle: 'Get Status',
  outputs: 'status',
  properties: [
    clientIdParameter('MQTT Client ID of the device (GroupID@@@DeviceID)'),
    instanceIdParameter,
    offlineDetailsParameter,
    routeErrorsParameter,
  ],
  parameters: ['clientId', 'instanceId'],
  async run({ ctx, index, params, client, signal }) {
    const offlineDetails = ctx.getNodeParameter('offlineDetails', index, false) as boolean;
    return {
      status: await client.querySession(
        { clientId: params.clientId as string, instanceId: params.instanceId as string },
        { signal, offlineDetails },
      ),
    };
  },
};
