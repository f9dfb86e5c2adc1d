import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { alibabaCloudMqttApiTest } from '../shared/n8n-client';
import { clientOptions } from './actions/common';
import * as deviceCredential from './actions/deviceCredential';
import * as deviceSession from './actions/deviceSession';
import * as message from './actions/message';
import * as token from './actions/token';
import { router } from './actions/router';

/**
 * Outputs follow the operation and the "Route Errors" switch: Online and Offline for status checks
 * (plus Retry and Fail when on), a single output for the connection trace. Evaluated by n8n as an
 * expression, so it must be a self-contained function.
 */
const configuredOutputs = (parameters: { resource?: string; operation?: string; routeErrors?: boolean }) => {
  if (parameters.resource && parameters.resource !== 'deviceSession') return [{ type: 'main', displayName: 'Result' }];
  if (parameters.operation === 'getConnectionTrace') return [{ type: 'main', displayName: 'Events' }];
  if (parameters.operation === 'waitUntilOnline')
    return [
      { type: 'main', displayName: 'Online' },
      { type: 'main', displayName: 'Timed Out' },
    ];
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
      '={{ {"getStatus": "Get Status", "getManyStatuses": "Get Many Statuses", "getConnectionTrace": "Get Connection Trace", "waitUntilOnline": "Wait Until Online", "get": "Get Credential", "getOrRegister": "Get or Register Credential", "register": "Register Credential", "refresh": "Refresh Credential", "unregister": "Unregister Credential", "apply": "Apply Token", "query": "Query Token", "revoke": "Revoke Token", "send": "Send Message"}[$parameter["operation"]] }}',
    description:
      'Check whether devices are connected to Alibaba Cloud ApsaraMQ for MQTT and branch on the answer; provision devices, wait for them, send them messages',
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
        options: [
          { name: 'Device Credential', value: 'deviceCredential' },
          { name: 'Device Session', value: 'deviceSession' },
          { name: 'Message', value: 'message' },
          { name: 'Token', value: 'token' },
        ],
        default: 'deviceSession',
      },
      ...deviceSession.description,
      ...deviceCredential.description,
      ...token.description,
      ...message.description,
      clientOptions,
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
