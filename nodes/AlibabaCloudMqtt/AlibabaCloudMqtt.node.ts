import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { alibabaCloudMqttApiTest } from '../shared/n8n-client';
import * as deviceSession from './actions/deviceSession';
import { router } from './actions/router';

/**
 * Outputs follow the operation and the "Route Errors" switch: Online and Offline for status checks
 * (plus Retry and Fail when on), a single output for the connection trace. Evaluated by n8n as an
 * expression, so it must be a self-contained function.
 */
const configuredOutputs = (parameters: { operation?: string; routeErrors?: boolean }) => {
  if (parameters.operation === 'getConnectionTrace') return [{ type: 'main', displayName: 'Events' }];
  const outputs = [
    { type: 'main', displayName: 'Online' },
    { type: 'main', displayName: 'Offline' },
  ];
  if (parameters.routeErrors) outputs.push({ type: 'main', displayName: 'Retry' }, { type: 'main', displayName: 'Fail' });
  return outputs;
};

export class AlibabaCloudMqtt implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Alibaba Cloud MQTT',
    name: 'alibabaCloudMqtt',
    icon: { light: 'file:../../icons/alibaba-cloud-mqtt.svg', dark: 'file:../../icons/alibaba-cloud-mqtt.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle:
      '={{ {"getStatus": "Get Status", "getManyStatuses": "Get Many Statuses", "getConnectionTrace": "Get Connection Trace"}[$parameter["operation"]] }}',
    description: 'Check whether devices are connected to Alibaba Cloud ApsaraMQ for MQTT and branch on the answer',
    defaults: { name: 'Alibaba Cloud MQTT' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: `={{(${configuredOutputs.toString()})($parameter)}}`,
    credentials: [{ name: 'alibabaCloudMqttApi', required: true, testedBy: 'alibabaCloudMqttApiTest' }],
    properties: [
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        options: [{ name: 'Device Session', value: 'deviceSession' }],
        default: 'deviceSession',
      },
      ...deviceSession.description,
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
