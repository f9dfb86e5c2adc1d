import type { INodeProperties } from 'n8n-workflow';

/**
 * Who signs: the AccessKey (with the 0.1 STS switch), a pasted STS token, or a role assumed with
 * the AccessKey. `roleTypes`: the authentication choices that show the role's ARN, session name
 * and STS endpoint (the extras credential's OIDC role too); `roleArnNote` completes the ARN's hint.
 */
export function keyFields(roleTypes: string[], roleArnNote = ''): INodeProperties[] {
  return [
    {
      displayName: 'AccessKey ID',
      name: 'accessKeyId',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'LTAI5t...',
      description:
        'AccessKey ID of a RAM user allowed mq:MqttInstanceAccess on the instance (for a role: allowed sts:AssumeRole on the role)',
      displayOptions: { show: { authentication: ['accessKey', 'stsToken', 'ramRole'] } },
    },
    {
      displayName: 'AccessKey Secret',
      name: 'accessKeySecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      displayOptions: { show: { authentication: ['accessKey', 'stsToken', 'ramRole'] } },
    },
    {
      // Saved by 0.1 credentials (AccessKey + this switch); shown only while it is on. "STS Token" is the same.
      displayName: 'Temporary Credentials (STS)',
      name: 'useSts',
      type: 'boolean',
      default: false,
      description:
        'Whether these are STS temporary credentials (the 0.1 way: choose the STS Token authentication instead)',
      displayOptions: { show: { authentication: ['accessKey'], useSts: [true] } },
    },
    {
      displayName: 'Security Token',
      name: 'securityToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      displayOptions: { show: { authentication: ['stsToken'] } },
    },
    {
      displayName: 'Security Token',
      name: 'securityToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      displayOptions: { show: { authentication: ['accessKey'], useSts: [true] } },
    },
    {
      displayName: 'Role ARN',
      name: 'roleArn',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'acs:ram::1234567890123456:role/mqtt-reader',
      description: `The RAM role to assume; it needs mq:MqttInstanceAccess on the instance${roleArnNote}`,
      displayOptions: { show: { authentication: roleTypes } },
    },
    {
      displayName: 'Role Session Name',
      name: 'roleSessionName',
      type: 'string',
      default: 'n8n-alicloud-mqtt',
      description: 'Names the session in ActionTrail: 2 to 64 letters, digits or . @ - _',
      displayOptions: { show: { authentication: roleTypes } },
    },
    {
      displayName: 'Session Duration (Seconds)',
      name: 'durationSeconds',
      type: 'number',
      typeOptions: { minValue: 900, maxValue: 43200 },
      default: 3600,
      description:
        "How long each temporary credential lives (900 to the role's maximum session duration); it is renewed before it ends",
      displayOptions: { show: { authentication: ['ramRole'] } },
    },
    {
      displayName: 'External ID',
      name: 'externalId',
      type: 'string',
      default: '',
      description: "Only if the role's trust policy asks for one",
      displayOptions: { show: { authentication: ['ramRole'] } },
    },
    {
      displayName: 'Policy',
      name: 'policy',
      type: 'string',
      typeOptions: { rows: 3 },
      default: '',
      description: 'Optional policy (JSON) that narrows what the temporary credentials may do',
      displayOptions: { show: { authentication: ['ramRole'] } },
    },
    {
      displayName: 'STS Endpoint',
      name: 'stsEndpoint',
      type: 'string',
      default: '',
      placeholder: 'sts.cn-hangzhou.aliyuncs.com',
      description:
        'host[:port] of STS (always HTTPS). Empty: sts.aliyuncs.com; inside a VPC: sts-vpc.{region}.aliyuncs.com.',
      displayOptions: { show: { authentication: roleTypes } },
    },
  ];
}

/**
 * Where the credential's requests go: region, network, or a custom endpoint. The same fields in
 * the main package's credential and the extras package's (packages/n8n-extras), and the same
 * names as the Node-RED config node's, so that one mapping reads them all (lib/host).
 */
export const ENDPOINT_FIELDS: INodeProperties[] = [
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
      {
        name: 'VPC',
        value: 'vpc',
        description: 'onsmqtt-vpc.{region}.aliyuncs.com, reachable only from inside the VPC',
      },
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
