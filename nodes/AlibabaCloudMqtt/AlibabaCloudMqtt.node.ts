import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { alibabaCloudMqttApiTest } from '../n8n-common/client';
import { nodeProperties, outputsExpression, subtitleExpression } from './actions/operations';
import { router } from './actions/router';

export class AlibabaCloudMqtt implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Alibaba Cloud MQTT',
    name: 'alibabaCloudMqtt',
    icon: { light: 'file:../../icons/alibaba-cloud-mqtt.svg', dark: 'file:../../icons/alibaba-cloud-mqtt.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: subtitleExpression(),
    description:
      'Check whether devices are connected to Alibaba Cloud ApsaraMQ for MQTT and branch on the answer; provision devices, wait for them, send them messages',
    defaults: { name: 'Alibaba Cloud MQTT' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: outputsExpression(),
    credentials: [{ name: 'alibabaCloudMqttApi', required: true, testedBy: 'alibabaCloudMqttApiTest' }],
    properties: nodeProperties(),
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
