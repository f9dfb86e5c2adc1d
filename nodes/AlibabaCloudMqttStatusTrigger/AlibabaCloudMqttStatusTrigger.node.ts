import {
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type INodeProperties,
  type INodeType,
  type INodeTypeDescription,
  type ITriggerFunctions,
  type ITriggerResponse,
} from 'n8n-workflow';
import { PushWatch, asOnsMqttError, describeError, parseClientIdList, type WatchCheckResult } from '../../lib';
import { pushGroupIdsFrom, pushLoginFrom } from '../../lib/host/push';
import { AlibabaCloudMqttTrigger } from '../AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node';
import { alibabaCloudMqttApiTest, coreOptionsFromCredentials, createClient } from '../shared/n8n-client';
import { triggerWatcher } from '../shared/n8n-watch';

/** The polling trigger's settings, so that both triggers are set up alike and give the same items. */
const SHARED = [
  'instanceId',
  'clientIds',
  'events',
  'offlineForMinutes',
  'onlineForMinutes',
  'reportInitialOffline',
  'storm',
  'offlineDetails',
  'summary',
  'options',
];
const polling = new AlibabaCloudMqttTrigger().description.properties;
const shared = (name: string): INodeProperties => polling.find((p) => p.name === name)!;

/**
 * Starts the workflow the moment the service reports that a device went offline or came back: its
 * own status notifications (the Cloud SDK's AMQP endpoint), fed through the same watcher as the
 * polling trigger, so the items are the same (events, incidents, summary). Each pushed change is
 * confirmed with a status query unless turned off; every watched device is polled once after each
 * (re)connect, and every 15 minutes as a safety net. Like every n8n trigger it runs on the main
 * process (in queue mode too); with several mains, n8n activates it on the leader only.
 */
export class AlibabaCloudMqttStatusTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Alibaba Cloud MQTT Status Trigger',
    name: 'alibabaCloudMqttStatusTrigger',
    icon: { light: 'file:../../icons/alibaba-cloud-mqtt.svg', dark: 'file:../../icons/alibaba-cloud-mqtt.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ "Push: " + ($parameter["clientIds"] || "").split(/[\\n,]/).filter(s => s.trim()).length + " devices" }}',
    description: "Starts the workflow within seconds when an MQTT device goes offline or comes back, from the service's own status notifications",
    defaults: { name: 'Alibaba Cloud MQTT Status Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'alibabaCloudMqttApi', required: true, testedBy: 'alibabaCloudMqttApiTest' }],
    properties: [
      {
        displayName:
          'Needs the Cloud SDK of ApsaraMQ for MQTT: an upgraded-edition instance with kernel 3.3.0 or later, in a region that offers it, and a credential with an AccessKey (STS tokens and roles are not accepted there). It connects to TCP port 5672 (AMQP); HTTP proxies do not apply.',
        name: 'cloudSdkNotice',
        type: 'notice',
        default: '',
      },
      ...SHARED.slice(0, 2).map(shared),
      {
        displayName: 'Group IDs',
        name: 'groupIds',
        type: 'string',
        default: '',
        placeholder: 'GID_group',
        description: 'The MQTT Group IDs whose status notifications to receive, comma-separated. Empty: those of the Client IDs above (GID_group@@@device).',
      },
      ...SHARED.slice(2, 8).map(shared),
      {
        displayName: 'Confirm With a Status Query',
        name: 'confirm',
        type: 'boolean',
        default: true,
        description:
          'Whether each pushed change is confirmed with a status query (through the same rate limit) before it fires. Off: the notification alone decides.',
      },
      {
        displayName: 'Cloud SDK Endpoint',
        name: 'pushEndpoint',
        type: 'string',
        default: '',
        placeholder: 'amqp://host:5672',
        description: "Empty: the instance's own (the Instance ID followed by -server-internet.mqtt.aliyuncs.com, or -internal with the VPC network)",
      },
      ...SHARED.slice(8).map(shared),
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
    const instanceId = (this.getNodeParameter('instanceId') as string).trim();
    const clientIds = parseClientIdList(this.getNodeParameter('clientIds'));
    if (clientIds.length === 0) {
      throw new NodeOperationError(this.getNode(), 'No Client IDs to watch', { description: 'Enter at least one Client ID, one per line or comma-separated.' });
    }
    const credentials = await this.getCredentials('alibabaCloudMqttApi');
    const nodeOptions = this.getNodeParameter('options', {}) as IDataObject;
    let login;
    let groupIds;
    let client: ReturnType<typeof createClient>;
    try {
      client = createClient(credentials, nodeOptions, (message) => this.logger.warn(message));
      login = pushLoginFrom(coreOptionsFromCredentials(credentials), this.getNodeParameter('pushEndpoint', '') as string);
      groupIds = pushGroupIdsFrom(this.getNodeParameter('groupIds', ''), clientIds);
    } catch (error) {
      throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error));
    }
    const watcher = triggerWatcher(this, client, { instanceId, clientIds });
    const manual = this.getMode() === 'manual';
    const emitResult = (result: WatchCheckResult) => {
      const out = [...result.events, ...result.incidents, ...(result.summary ? [result.summary] : [])] as unknown as IDataObject[];
      if (out.length === 0) return;
      this.emit([this.helpers.returnJsonArray(out.map((json) => ({ ...json })))]);
    };
    const push = new PushWatch({
      watcher,
      clientIds,
      confirm: this.getNodeParameter('confirm', true) as boolean,
      subscription: { instanceId, groupIds, ...login },
      deliver: emitResult,
      onError: (error) => this.logger.warn(`Alibaba Cloud MQTT Status Trigger: ${describeError(asOnsMqttError(error))}`),
      onMalformed: (kind) =>
        this.logger.warn(
          `Alibaba Cloud MQTT Status Trigger: a status notification that could not be read (${kind}) was skipped; more of this kind are only counted.`,
        ),
    });
    const start = async () => {
      try {
        await push.start();
      } catch (error) {
        throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error), {
          description: (error as { hint?: string }).hint,
        });
      }
    };
    // Active: subscribe now (a refused login fails the activation with its hint). Testing in the
    // editor: subscribe when asked, and the next event ends the test.
    if (!manual) await start();
    return {
      closeFunction: () => push.stop(),
      ...(manual ? { manualTriggerFunction: start } : {}),
    };
  }
}
