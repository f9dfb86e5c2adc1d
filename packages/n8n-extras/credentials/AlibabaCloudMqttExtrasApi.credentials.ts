import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The extras package's credential (@mqtt-ops/n8n-nodes-alicloud-mqtt-extras), for its Status
 * Trigger: everything the verifiable package's credential has, and what needs libraries n8n does
 * not verify: the machine's own identities and a proxy of its own. Credentials for the OnsMqtt API: an AccessKey, a pasted STS token, or a source that renews
 * temporary credentials by itself (RAM role, ECS instance role, OIDC, credentials URI, Alibaba's
 * default chain), with region, network and an optional custom endpoint. Tested by the node
 * (`testedBy`): the credential exchange first, then a real signed request, each step in words.
 */
export class AlibabaCloudMqttExtrasApi implements ICredentialType {
  name = 'alibabaCloudMqttExtrasApi';

  displayName = 'Alibaba Cloud MQTT Extras API';

  icon: Icon = { light: 'file:../icons/alibaba-cloud-mqtt.svg', dark: 'file:../icons/alibaba-cloud-mqtt.dark.svg' };

  documentationUrl = 'https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt/blob/main/docs/n8n-credentials.md';

  properties: INodeProperties[] = [
    {
      displayName: 'Authentication',
      name: 'authentication',
      type: 'options',
      default: 'accessKey',
      options: [
        { name: 'AccessKey', value: 'accessKey', description: "A RAM user's AccessKey pair (long-lived)" },
        {
          name: 'STS Token',
          value: 'stsToken',
          description:
            'A temporary key pair and its security token, pasted: not renewed, it stops working when it expires',
        },
        {
          name: 'RAM Role (AssumeRole)',
          value: 'ramRole',
          description: 'Assumes a RAM role with an AccessKey and renews the temporary credentials by itself',
        },
        {
          name: 'ECS Instance RAM Role',
          value: 'ecsRamRole',
          description:
            'The role attached to the ECS instance n8n runs on (needs ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true)',
        },
        {
          name: 'OIDC Role (ACK RRSA)',
          value: 'oidcRole',
          description: "The pod's OIDC token on ACK (needs ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true)",
        },
        {
          name: 'Credentials URI',
          value: 'credentialsUri',
          description: 'A local service that hands out credentials (needs ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true)',
        },
        {
          name: 'Default Chain',
          value: 'defaultChain',
          description:
            "Alibaba's default chain: environment, OIDC, profile files, ECS role (needs ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true)",
        },
      ],
    },
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
      description:
        'The RAM role to assume; it needs mq:MqttInstanceAccess on the instance (on ACK, empty: ALIBABA_CLOUD_ROLE_ARN)',
      displayOptions: { show: { authentication: ['ramRole', 'oidcRole'] } },
    },
    {
      displayName: 'Role Session Name',
      name: 'roleSessionName',
      type: 'string',
      default: 'n8n-alicloud-mqtt',
      description: 'Names the session in ActionTrail: 2 to 64 letters, digits or . @ - _',
      displayOptions: { show: { authentication: ['ramRole', 'oidcRole'] } },
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
      displayName: 'OIDC Provider ARN',
      name: 'oidcProviderArn',
      type: 'string',
      default: '',
      placeholder: 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-...',
      description: 'Empty: ALIBABA_CLOUD_OIDC_PROVIDER_ARN of the pod',
      displayOptions: { show: { authentication: ['oidcRole'] } },
    },
    {
      displayName: 'OIDC Token File',
      name: 'oidcTokenFilePath',
      type: 'string',
      default: '',
      placeholder: '/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token',
      description: 'Empty: ALIBABA_CLOUD_OIDC_TOKEN_FILE of the pod',
      displayOptions: { show: { authentication: ['oidcRole'] } },
    },
    {
      displayName: 'STS Endpoint',
      name: 'stsEndpoint',
      type: 'string',
      default: '',
      placeholder: 'sts.cn-hangzhou.aliyuncs.com',
      description:
        'host[:port] of STS (always HTTPS). Empty: sts.aliyuncs.com; inside a VPC: sts-vpc.{region}.aliyuncs.com.',
      displayOptions: { show: { authentication: ['ramRole', 'oidcRole'] } },
    },
    {
      displayName: 'ECS Role Name',
      name: 'roleName',
      type: 'string',
      default: '',
      description: 'Empty: the role attached to the instance, found through the metadata service',
      displayOptions: { show: { authentication: ['ecsRamRole'] } },
    },
    // A secret although its name does not say so: the URI can carry its own token (path or query).
    // eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
    {
      displayName: 'Credentials URI',
      name: 'credentialsUri',
      type: 'string',
      // The URI can carry its own token (in its path or query): shown and stored as a secret.
      typeOptions: { password: true },
      default: '',
      required: true,
      placeholder: 'http://127.0.0.1:8080/credentials',
      description: 'Answers GET with AccessKeyId, AccessKeySecret, SecurityToken and Expiration (JSON)',
      displayOptions: { show: { authentication: ['credentialsUri'] } },
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
    {
      displayName: 'Proxy URL',
      name: 'proxyUrl',
      type: 'string',
      default: '',
      placeholder: 'http://user@proxy.example.com:3128',
      description:
        "HTTP proxy for this credential's requests (the API and STS; HTTPS goes through it end to end by CONNECT), with the user name if it asks for a login. Leave empty to use the n8n process's HTTPS_PROXY / HTTP_PROXY; NO_PROXY applies either way.",
    },
    {
      displayName: 'Proxy Password',
      name: 'proxyPassword',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'Password of the user named in the Proxy URL, if the proxy asks for a login',
      displayOptions: { hide: { proxyUrl: [''] } },
    },
  ];
}
