import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { ENDPOINT_FIELDS, keyFields } from '../../../credentials/shared-fields';

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
    ...keyFields(['ramRole', 'oidcRole'], ' (on ACK, empty: ALIBABA_CLOUD_ROLE_ARN)'),
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
    ...ENDPOINT_FIELDS,
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
