import type {
  ICredentialDataDecryptedObject,
  ICredentialType,
  IDataObject,
  IHttpRequestHelper,
  IHttpRequestOptions,
  INodeProperties,
  Icon,
} from 'n8n-workflow';
import { assumeRoleForCredential, signWithCredential } from '../nodes/n8n-common/credential-signing';

/**
 * Credentials for the OnsMqtt API: an AccessKey, a pasted STS token, or a RAM role whose temporary
 * credentials n8n obtains and renews, with region, network and an optional custom endpoint.
 *
 * The n8n way, as n8n's AWS credential does it: the credential signs every request itself
 * (`authenticate`, ACS3-HMAC-SHA256), and for a RAM role `preAuthentication` assumes the role and
 * n8n stores the temporary credentials in the expirable fields below. Tested by the node
 * (`testedBy`): the credential exchange first, then a real signed request, each step in words.
 * The identities of the machine (ECS role, OIDC, credentials URI, default chain) and a per-credential
 * proxy are in the extras package's credential (docs/packages.md).
 */
export class AlibabaCloudMqttApi implements ICredentialType {
  name = 'alibabaCloudMqttApi';

  displayName = 'Alibaba Cloud MQTT API';

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
      description: 'The RAM role to assume; it needs mq:MqttInstanceAccess on the instance',
      displayOptions: { show: { authentication: ['ramRole'] } },
    },
    {
      displayName: 'Role Session Name',
      name: 'roleSessionName',
      type: 'string',
      default: 'n8n-alicloud-mqtt',
      description: 'Names the session in ActionTrail: 2 to 64 letters, digits or . @ - _',
      displayOptions: { show: { authentication: ['ramRole'] } },
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
      displayOptions: { show: { authentication: ['ramRole'] } },
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
      displayName: 'Processes Sending From This IP',
      name: 'processesPerIp',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 1000 },
      default: 1,
      description:
        "How many n8n processes send with this account from one IP address (in queue mode: the main process and every worker). Each keeps to its share of the service's rate limits, the limit divided by this number.",
    },
    // The RAM role's temporary credentials, obtained by preAuthentication and stored by n8n. n8n
    // runs preAuthentication again whenever the token is empty; the node empties it before the
    // session ends (nodes/n8n-common/n8n-runtime.ts).
    { displayName: 'Session AccessKey ID', name: 'sessionAccessKeyId', type: 'hidden', default: '' },
    {
      displayName: 'Session AccessKey Secret',
      name: 'sessionAccessKeySecret',
      type: 'hidden',
      typeOptions: { password: true },
      default: '',
    },
    {
      displayName: 'Session Token',
      name: 'sessionToken',
      type: 'hidden',
      typeOptions: { expirable: true, password: true },
      default: '',
    },
    { displayName: 'Session Expires At', name: 'sessionExpiresAt', type: 'hidden', default: '' },
    { displayName: 'Session Issued At', name: 'sessionIssuedAt', type: 'hidden', default: '' },
  ];

  /** For a RAM role: assumes it (STS AssumeRole, signed here) and returns the fields n8n stores. */
  async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
    return await assumeRoleForCredential(this, credentials);
  }

  /** Signs the request with ACS3-HMAC-SHA256 (lib/send/acs3-signature.ts), as the SDK does. */
  async authenticate(
    credentials: ICredentialDataDecryptedObject,
    requestOptions: IHttpRequestOptions,
  ): Promise<IHttpRequestOptions> {
    return signWithCredential(credentials, requestOptions);
  }
}
