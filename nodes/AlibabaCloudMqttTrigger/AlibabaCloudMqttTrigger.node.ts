import { failedStatusFields } from '../../lib/host/output';
import {
  NodeApiError,
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  type IPollFunctions,
  type JsonObject,
} from 'n8n-workflow';
import {
  describeError,
  errorAdvice,
  errorHeadline,
  errorFields,
  OnsMqttError,
  parseClientIdList,
  statusFields,
  isSessionFailure,
  DEFAULT_RESOLVE_PERCENT,
  type QueryMode,
} from '../../lib';
import { clientOptions, instanceIdParameter, offlineDetailsParameter } from '../AlibabaCloudMqtt/actions/common';
import { alibabaCloudMqttApiTest, createClient } from '../shared/n8n-client';
import { triggerWatcher } from '../shared/n8n-watch';

/**
 * Polls a fleet on n8n's own schedule ("Poll Times") and emits one item per device that went
 * offline or came back. The state of each device lives in the workflow's static data, so an
 * active workflow remembers it between polls; a failed poll throws and keeps that state.
 */
export class AlibabaCloudMqttTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Alibaba Cloud MQTT Trigger',
    name: 'alibabaCloudMqttTrigger',
    icon: { light: 'file:../../icons/alibaba-cloud-mqtt.svg', dark: 'file:../../icons/alibaba-cloud-mqtt.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ "Watch " + ($parameter["clientIds"] || "").split(/[\\n,]/).filter(s => s.trim()).length + " devices" }}',
    // n8n's node picker folds "X Trigger" into "X" (same name without "Trigger") and shows this
    // description for both: it must read right for the action node too.
    description: 'Check whether Alibaba Cloud ApsaraMQ for MQTT devices are connected, provision them, and start workflows when one goes offline or comes back',
    defaults: { name: 'Alibaba Cloud MQTT Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'alibabaCloudMqttApi', required: true, testedBy: 'alibabaCloudMqttApiTest' }],
    properties: [
      instanceIdParameter,
      {
        displayName: 'Client IDs',
        name: 'clientIds',
        type: 'string',
        typeOptions: { rows: 5 },
        default: '',
        required: true,
        placeholder: 'GID_group@@@device1\nGID_group@@@device2',
        description: 'Devices to watch, one per line or comma-separated',
      },
      {
        displayName: 'Query Mode',
        name: 'mode',
        type: 'options',
        default: 'exact',
        options: [
          { name: 'Exact', value: 'exact', description: 'One request per device (live answer)' },
          { name: 'Batch', value: 'batch', description: '10 devices per request, for large fleets (answered from the service cache, may lag)' },
        ],
      },
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        default: ['offline', 'online'],
        options: [
          // `action` is what the nodes panel lists (n8n would otherwise build "On Went Offline").
          { name: 'Went Offline', value: 'offline', action: 'When a device goes offline' },
          { name: 'Came Online', value: 'online', action: 'When a device comes back online' },
        ],
      },
      {
        displayName: 'Offline for at Least (Minutes)',
        name: 'offlineForMinutes',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description: 'A device must be seen offline on consecutive polls spanning at least this long before "went offline" fires; a shorter blip fires nothing',
      },
      {
        displayName: 'Online for at Least (Minutes)',
        name: 'onlineForMinutes',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description: 'The same for coming back: 0 fires on the first poll that sees the device online',
      },
      {
        displayName: 'Report Offline at Start',
        name: 'reportInitialOffline',
        type: 'boolean',
        default: false,
        description: 'Whether the first poll reports devices that are offline already (otherwise it only records the baseline)',
      },
      offlineDetailsParameter,
      {
        displayName: 'Storm Protection',
        name: 'storm',
        type: 'collection',
        placeholder: 'Add Threshold',
        default: {},
        description:
          'When many devices drop in one poll (a network, a gateway or a region failing), emit one item with event "incident" listing them instead of one per device, then one "incident_resolved" when enough are back. Off until a threshold is set.',
        options: [
          {
            displayName: 'Incident at Devices',
            name: 'minDevices',
            type: 'number',
            typeOptions: { minValue: 0 },
            default: 0,
            description: 'An incident starts when at least this many devices go offline in one poll (0: not by count)',
          },
          {
            displayName: 'Incident at Percent',
            name: 'minPercent',
            type: 'number',
            typeOptions: { minValue: 0, maxValue: 100 },
            default: 0,
            description: 'An incident starts when at least this share of the watched devices goes offline in one poll (0: not by share)',
          },
          {
            displayName: 'Resolved at Percent Back',
            name: 'resolvePercent',
            type: 'number',
            typeOptions: { minValue: 1, maxValue: 100 },
            default: DEFAULT_RESOLVE_PERCENT,
            description:
              'The incident is resolved when at least this share of its devices is back online. Devices that drop or come back during it are folded into it; those still offline at the end are listed, and fire "online" when they return.',
          },
        ],
      },
      {
        displayName: 'Fleet Summary',
        name: 'summary',
        type: 'boolean',
        default: false,
        description:
          'Whether each poll also emits one item with event "summary": online and offline counts, the change since the last poll and the incident in progress (for a dashboard). Every poll then starts the workflow.',
      },
      clientOptions,
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const instanceId = this.getNodeParameter('instanceId') as string;
    const clientIds = parseClientIdList(this.getNodeParameter('clientIds'));
    if (clientIds.length === 0) {
      throw new NodeOperationError(this.getNode(), 'No Client IDs to watch', { description: 'Enter at least one Client ID, one per line or comma-separated.' });
    }
    const mode = this.getNodeParameter('mode', 'exact') as QueryMode;
    const credentials = await this.getCredentials('alibabaCloudMqttApi');
    let client;
    try {
      client = createClient(credentials, this.getNodeParameter('options', {}) as IDataObject, (message) => this.logger.warn(message));
    } catch (error) {
      throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error));
    }

    if (this.getMode() === 'manual') {
      // Building the workflow: show the devices' real current status, and leave the state alone.
      const outcomes = await client.querySessions({ clientIds, instanceId, mode });
      return [
        outcomes.map((o) => ({
          json: isSessionFailure(o) ? (failedStatusFields(o, o.error) as IDataObject) : { ...statusFields(o) },
        })),
      ];
    }

    const watcher = triggerWatcher(this, client, { instanceId, clientIds, mode });
    let result;
    try {
      result = await watcher.check();
    } catch (caught) {
      const error = caught instanceof OnsMqttError ? caught : new OnsMqttError({ code: 'InternalClientError', message: String(caught) });
      const message = `Could not check the fleet: ${errorHeadline(error)}`;
      const nodeError = new NodeApiError(this.getNode(), errorFields(error) as unknown as JsonObject, {
        message,
        description: `${errorAdvice(error)} The last known state is kept; no event was fired.`,
      });
      nodeError.message = message;
      throw nodeError;
    }
    if (result.failures.length > 0) {
      this.logger.warn(
        `Alibaba Cloud MQTT Trigger: ${result.failures.length} of ${clientIds.length} devices could not be checked (${describeError(result.failures[0].error)}); their state is kept.`,
      );
    }
    if (result.reconciled && result.reconciled.failed.length > 0) {
      this.logger.warn(
        `Alibaba Cloud MQTT Trigger: after the restart, the connection trace of ${result.reconciled.failed.join(', ')} could not be read; a change while n8n was not saving may go unreported for them.`,
      );
    }
    const out: IDataObject[] = [...result.events, ...result.incidents, ...(result.summary ? [result.summary] : [])] as unknown as IDataObject[];
    if (out.length === 0) return null;
    return [out.map((json) => ({ json: { ...json } }))];
  }
}
