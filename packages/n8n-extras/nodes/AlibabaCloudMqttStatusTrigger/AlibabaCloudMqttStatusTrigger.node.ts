import {
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type INodeType,
  type INodeTypeDescription,
  type ITriggerFunctions,
  type ITriggerResponse,
} from 'n8n-workflow';
import {
  asOnsMqttError,
  claimEvery,
  describeError,
  deviceMessageFields,
  leadershipFor,
  parentTopicsFrom,
  parseClientIdList,
  pushDevicesFrom,
  pushGroupIdsFrom,
  pushLoginFrom,
  PushWatch,
  sharedLimitFromEnvironment,
  type WatchCheckResult,
} from '../../../../lib/internal';
import { clientOptions, instanceIdParameter, offlineDetailsParameter } from '../../../../nodes/n8n-common/parameters';
import {
  clientIdsProperty,
  eventsProperty,
  healthProperty,
  offlineForMinutesProperty,
  onlineForMinutesProperty,
  reportInitialOfflineProperty,
  stormProperty,
  summaryProperty,
} from '../../../../nodes/n8n-common/watch-properties';
import { alibabaCloudMqttExtrasApiTest, coreOptionsFromCredentials, createClient } from './node-client';
import { triggerWatcher } from '../../../../nodes/n8n-common/watch';

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
    subtitle:
      '={{ "Push: " + ($parameter["clientIds"] || "").split(/[\\n,]/).filter(s => s.trim()).length + " devices" }}',
    description:
      "Starts the workflow within seconds when an MQTT device goes offline or comes back, from the service's own status notifications",
    defaults: { name: 'Alibaba Cloud MQTT Status Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'alibabaCloudMqttExtrasApi', required: true, testedBy: 'alibabaCloudMqttExtrasApiTest' }],
    properties: [
      {
        displayName:
          'Needs the Cloud SDK of ApsaraMQ for MQTT: an upgraded-edition instance with kernel 3.3.0 or later, in a region that offers it, and a credential with an AccessKey (STS tokens and roles are not accepted there). It connects to TCP port 5672 (AMQP); HTTP proxies do not apply.',
        name: 'cloudSdkNotice',
        type: 'notice',
        default: '',
      },
      instanceIdParameter,
      {
        displayName: 'Devices',
        name: 'devices',
        type: 'options',
        default: 'list',
        options: [
          { name: 'Listed Client IDs', value: 'list', description: 'Watch the Client IDs entered below' },
          {
            name: 'Every Device of the Groups',
            value: 'group',
            description:
              'Watch each device of the Group IDs from its first status notification; a device first heard of when it connects is reported online, one first heard of when it drops is reported offline',
          },
        ],
      },
      { ...clientIdsProperty, displayOptions: { show: { devices: ['list'] } } },
      {
        displayName: 'Group IDs',
        name: 'groupIds',
        type: 'string',
        default: '',
        placeholder: 'GID_group',
        description:
          'The MQTT Group IDs whose status notifications to receive, comma-separated. Empty: those of the Client IDs above (GID_group@@@device). Needed for every device of the groups.',
      },
      eventsProperty,
      offlineForMinutesProperty,
      onlineForMinutesProperty,
      reportInitialOfflineProperty,
      stormProperty,
      offlineDetailsParameter,
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
        description:
          "Empty: the instance's own (the Instance ID followed by -server-internet.mqtt.aliyuncs.com, or -internal with the VPC network)",
      },
      {
        displayName: 'Device Message Topics',
        name: 'parentTopics',
        type: 'string',
        default: '',
        placeholder: 'devices',
        description:
          'Parent topics (first-level, comma-separated) whose device messages start the workflow too, as items with event "message": the payload (parsed when JSON), the full topic, the sending Client ID, born time and MQTT 5 user properties',
      },
      summaryProperty,
      // The same fleet health as the polling trigger (its periodic report is the polling trigger's).
      {
        ...healthProperty,
        options: healthProperty.options?.filter((o) => !['reportEveryHours', 'reportWindow'].includes(o.name)),
      },
      clientOptions,
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttExtrasApiTest } };

  async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
    const instanceId = (this.getNodeParameter('instanceId') as string).trim();
    const devices = pushDevicesFrom(this.getNodeParameter('devices', 'list'));
    const clientIds = devices === 'list' ? parseClientIdList(this.getNodeParameter('clientIds', '')) : [];
    if (devices === 'list' && clientIds.length === 0) {
      throw new NodeOperationError(this.getNode(), 'No Client IDs to watch', {
        description:
          'Enter at least one Client ID, one per line or comma-separated, or choose every device of the groups.',
      });
    }
    const credentials = await this.getCredentials('alibabaCloudMqttExtrasApi');
    const nodeOptions = this.getNodeParameter('options', {}) as IDataObject;
    let login;
    let groupIds;
    let parentTopics;
    let client: ReturnType<typeof createClient>;
    try {
      client = createClient(credentials, nodeOptions, (message) => this.logger.warn(message));
      login = pushLoginFrom(
        coreOptionsFromCredentials(credentials),
        this.getNodeParameter('pushEndpoint', '') as string,
      );
      groupIds = pushGroupIdsFrom(this.getNodeParameter('groupIds', ''), clientIds);
      parentTopics = parentTopicsFrom(this.getNodeParameter('parentTopics', ''));
    } catch (error) {
      throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error));
    }
    // n8n saves a trigger's static data when it emits, not when a node changes it: the state that
    // marks a check's events fired is set first and the items emitted after, so that both are saved together.
    let outbox: IDataObject[] = [];
    let watcher: ReturnType<typeof triggerWatcher>;
    try {
      watcher = triggerWatcher(
        this,
        client,
        { instanceId, clientIds },
        {
          ...(devices === 'group' ? { reportInitialOffline: true, reportInitialOnline: true } : {}),
          afterSave: () => {
            const items = outbox;
            outbox = [];
            if (items.length > 0) this.emit([this.helpers.returnJsonArray(items)]);
          },
        },
      );
    } catch (error) {
      throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error));
    }
    const collect = (result: WatchCheckResult) => {
      const out = [
        ...result.events,
        ...result.incidents,
        ...result.health,
        ...(result.summary ? [result.summary] : []),
      ] as unknown as IDataObject[];
      outbox.push(...out.map((json) => ({ ...json })));
    };
    const warn = (text: string) => this.logger.warn(`Alibaba Cloud MQTT Status Trigger: ${text}`);
    const subscribe = () =>
      new PushWatch({
        watcher,
        clientIds: devices === 'group' ? 'group' : clientIds,
        confirm: this.getNodeParameter('confirm', true) as boolean,
        subscription: {
          instanceId,
          groupIds,
          ...login,
          parentTopics,
          // Acknowledged once emitted.
          onMessage: (message) =>
            this.emit([
              this.helpers.returnJsonArray([{ ...deviceMessageFields(instanceId, message) } as unknown as IDataObject]),
            ]),
        },
        deliver: collect,
        onError: (error) => warn(describeError(asOnsMqttError(error))),
        onMalformed: (kind) =>
          warn(
            `a status notification that could not be read (${kind}) was skipped; more of this kind are only counted.`,
          ),
      });
    let push: PushWatch | undefined;
    // The first attempt's outcome: a refused login has stopped the subscription; an endpoint out of
    // reach is still tried with backoff until the close function stops it.
    const start = async () => {
      push ??= subscribe();
      try {
        await push.start();
      } catch (error) {
        // lib's class for it: a retry-class error is still being tried; a fail-class one stopped it.
        if (!asOnsMqttError(error).retryable) push = undefined;
        throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error), {
          description:
            (error as { hint?: string }).hint ??
            "Check the Cloud SDK Endpoint (or leave it empty for the instance's own) and that this host can reach it on port 5672.",
        });
      }
    };
    const manual = this.getMode() === 'manual';
    const stop = async () => {
      const stopping = push;
      push = undefined;
      await stopping?.stop();
    };
    // Testing in the editor: subscribe when asked, and the next event ends the test. An error ends
    // the test in the panel, where the user looks, and stops every retry.
    if (manual) {
      const manualStart = async () => {
        try {
          await start();
        } catch (error) {
          await stop();
          throw new NodeOperationError(this.getNode(), error as Error); // start() made it one: kept as it is
        }
      };
      return { closeFunction: stop, manualTriggerFunction: manualStart };
    }
    // With a shared Redis (queue mode, several mains), only the process that holds the lease
    // consumes: n8n runs triggers on its leader, and the lease covers a hand-over between two.
    const shared = sharedLimitFromEnvironment();
    if (!shared) {
      try {
        await start();
      } catch (error) {
        // A refused login fails the activation with its hint; an endpoint out of reach is said
        // and kept trying, and n8n has the close function to stop it.
        if (push === undefined) throw new NodeOperationError(this.getNode(), error as Error);
        warn(error instanceof Error ? error.message : String(error));
      }
      return { closeFunction: stop };
    }
    const workflowId = String(this.getWorkflow().id ?? '');
    const leadership = leadershipFor(shared, `status-trigger:${workflowId}:${this.getNode().id}`);
    let downReported = false;
    const stopClaiming = claimEvery(
      async () => {
        try {
          const won = await leadership.claim();
          downReported = false;
          return won;
        } catch (error) {
          if (!downReported) warn(`${describeError(asOnsMqttError(error))} Nobody consumes until Redis answers.`);
          downReported = true;
          return false;
        }
      },
      async (leading) => {
        // A new subscription each time it leads: the one of before stopped for good.
        if (leading && !push)
          await start().catch((error: unknown) => warn(error instanceof Error ? error.message : String(error)));
        else if (!leading && push) await stop();
      },
    );
    return {
      closeFunction: async () => {
        stopClaiming();
        await stop();
        await leadership.close();
      },
    };
  }
}
