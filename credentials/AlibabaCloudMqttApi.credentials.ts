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
import { ENDPOINT_FIELDS, keyFields } from './shared-fields';

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
    ...keyFields(['ramRole']),
    ...ENDPOINT_FIELDS,
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
