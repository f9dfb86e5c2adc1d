import type { INodeProperties } from 'n8n-workflow';
import * as getConnectionTrace from './getConnectionTrace.operation';
import * as getManyStatuses from './getManyStatuses.operation';
import * as getStatus from './getStatus.operation';
import * as waitUntilOnline from './waitUntilOnline.operation';

export { getConnectionTrace, getManyStatuses, getStatus, waitUntilOnline };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['deviceSession'] } },
    options: [
      {
        name: 'Get Connection Trace',
        value: 'getConnectionTrace',
        description: 'Get the connect and disconnect events of a device, with reasons',
        action: 'Get the connection trace of a device',
      },
      {
        name: 'Get Many Statuses',
        value: 'getManyStatuses',
        description: 'Check many devices at once, 10 per request (answered from the service cache)',
        action: 'Get the online status of many devices',
      },
      {
        name: 'Get Status',
        value: 'getStatus',
        description: 'Check whether a device is online (exact, live answer)',
        action: 'Get the online status of a device',
      },
      {
        name: 'Wait Until Online',
        value: 'waitUntilOnline',
        description: 'Wait until a device connects, or time out with its connection trace',
        action: 'Wait until a device is online',
      },
    ],
    default: 'getStatus',
  },
  ...getStatus.description,
  ...getManyStatuses.description,
  ...getConnectionTrace.description,
  ...waitUntilOnline.description,
];
