import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * AccessKey or STS temporary credentials for the OnsMqtt API, with region, network and an
 * optional custom endpoint. Tested by the node (`testedBy`) with a real signed request, so the
 * user learns whether the key, the secret, the token and the endpoint are accepted.
 */
export class AlibabaCloudMqttApi implements ICredentialType {
  name = 'alibabaCloudMqttApi';

  displayName = 'Alibaba Cloud MQTT API';

  icon: Icon = { light: 'file:../icons/alibaba-cloud-mqtt.svg', dark: 'file:../icons/alibaba-cloud-mqtt.dark.svg' };

  documentationUrl = 'https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt/blob/main/docs/n8n-credentials.md';

  properties: INodeProperties[] = [
    {
      displayName: 'AccessKey ID',
      name: 'accessKeyId',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'LTAI5t...',
      description: 'AccessKey ID of a RAM user or role allowed mq:MqttInstanceAccess on the instance',
    },
    {
      displayName: 'AccessKey Secret',
      name: 'accessKeySecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
    },
    {
      displayName: 'Temporary Credentials (STS)',
      name: 'useSts',
      type: 'boolean',
      default: false,
      description:
        'Whether these are STS temporary credentials (AssumeRole), which need a security token. A static token is not refreshed: renew it before it expires.',
    },
    {
      displayName: 'Security Token',
      name: 'securityToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      displayOptions: { show: { useSts: [true] } },
    },
    {
      displayName: 'Region',
      name: 'region',
      type: 'options',
      default: 'cn-hangzhou',
      description: 'Region of the ApsaraMQ for MQTT instance',
      // The regions sorted, then "Custom Region ID" last, where a user looks for "none of these".
      options: [
        { name: 'China (Beijing)', value: 'cn-beijing' },
        { name: 'China (Chengdu)', value: 'cn-chengdu' },
        { name: 'China (Guangzhou)', value: 'cn-guangzhou' },
        { name: 'China (Hangzhou)', value: 'cn-hangzhou' },
        { name: 'China (Hohhot)', value: 'cn-huhehaote' },
        { name: 'China (Hong Kong)', value: 'cn-hongkong' },
        { name: 'China (Qingdao)', value: 'cn-qingdao' },
        { name: 'China (Shanghai)', value: 'cn-shanghai' },
        { name: 'China (Shenzhen)', value: 'cn-shenzhen' },
        { name: 'China (Ulanqab)', value: 'cn-wulanchabu' },
        { name: 'China (Zhangjiakou)', value: 'cn-zhangjiakou' },
        { name: 'Indonesia (Jakarta)', value: 'ap-southeast-5' },
        { name: 'Japan (Tokyo)', value: 'ap-northeast-1' },
        { name: 'Malaysia (Kuala Lumpur)', value: 'ap-southeast-3' },
        { name: 'MQ Internet Access (Public Endpoint Only)', value: 'mq-internet-access' },
        { name: 'Philippines (Manila)', value: 'ap-southeast-6' },
        { name: 'Singapore', value: 'ap-southeast-1' },
        { name: 'Custom Region ID', value: 'custom' },
      ],
    },
    {
      displayName: 'Custom Region ID',
      name: 'customRegion',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'eu-central-1',
      description: 'Any region ID, for regions not in the list',
      displayOptions: { show: { region: ['custom'] } },
    },
    {
      displayName: 'Network',
      name: 'network',
      type: 'options',
      default: 'public',
      options: [
        { name: 'Public (Internet)', value: 'public', description: 'onsmqtt.{region}.aliyuncs.com' },
        { name: 'VPC', value: 'vpc', description: 'onsmqtt-vpc.{region}.aliyuncs.com, reachable only from inside the VPC' },
      ],
    },
    {
      displayName: 'Custom Endpoint',
      name: 'endpoint',
      type: 'string',
      default: '',
      placeholder: 'https://onsmqtt.example.internal',
      description:
        'Full endpoint URL that overrides region and network: a private gateway, or the local emulator (http://127.0.0.1:8090). Leave empty to use the region.',
    },
  ];
}
