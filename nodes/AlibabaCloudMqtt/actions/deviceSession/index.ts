import type { INodeProperties } from 'n8n-workflow';
import { clientOptions } from '../common';
import * as getConnectionTrace from './getConnectionTrace.operation';
import * as getManyStatuses from './getManyStatuses.operation';
import * as getStatus from './getStatus.operation';

export { getConnectionTrace, getManyStatuses, getStatus };

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
    ],
    default: 'getStatus',
  },
  ...getStatus.description,
  ...getManyStatuses.description,
  ...getConnectionTrace.description,
  clientOptions,
];
