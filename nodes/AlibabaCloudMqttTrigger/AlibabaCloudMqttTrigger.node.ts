import {
  describeError,
  errorAdvice,
  errorFields,
  errorHeadline,
  failedStatusFields,
  isSessionFailure,
  OnsMqttError,
  parseClientIdList,
  reportJson,
  reportSvg,
  statusFields,
  type ReportRequest,
  type QueryMode,
} from '../../lib/portable';
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
import { clientOptions, instanceIdParameter, offlineDetailsParameter } from '../n8n-common/parameters';
import {
  clientIdsProperty,
  eventsProperty,
  healthProperty,
  modeProperty,
  offlineForMinutesProperty,
  onlineForMinutesProperty,
  reportInitialOfflineProperty,
  stormProperty,
  summaryProperty,
} from '../n8n-common/watch-properties';
import { alibabaCloudMqttApiTest, createClient } from '../n8n-common/client';
import { triggerWatcher } from '../n8n-common/watch';

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
    subtitle:
      '={{ "Watch " + ($parameter["clientIds"] || "").split(/[\\n,]/).filter(s => s.trim()).length + " devices" }}',
    // n8n's node picker folds "X Trigger" into "X" (same name without "Trigger") and shows this
    // description for both: it must read right for the action node too.
    description:
      'Check whether Alibaba Cloud ApsaraMQ for MQTT devices are connected, provision them, and start workflows when one goes offline or comes back',
    defaults: { name: 'Alibaba Cloud MQTT Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'alibabaCloudMqttApi', required: true, testedBy: 'alibabaCloudMqttApiTest' }],
    properties: [
      instanceIdParameter,
      clientIdsProperty,
      modeProperty,
      eventsProperty,
      offlineForMinutesProperty,
      onlineForMinutesProperty,
      reportInitialOfflineProperty,
      offlineDetailsParameter,
      stormProperty,
      summaryProperty,
      healthProperty,
      clientOptions,
    ],
  };

  methods = { credentialTest: { alibabaCloudMqttApiTest } };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const instanceId = this.getNodeParameter('instanceId') as string;
    const clientIds = parseClientIdList(this.getNodeParameter('clientIds'));
    if (clientIds.length === 0) {
      throw new NodeOperationError(this.getNode(), 'No Client IDs to watch', {
        description: 'Enter at least one Client ID, one per line or comma-separated.',
      });
    }
    const mode = this.getNodeParameter('mode', 'exact') as QueryMode;
    const credentials = await this.getCredentials('alibabaCloudMqttApi');
    let client;
    try {
      client = createClient(this, credentials, this.getNodeParameter('options', {}) as IDataObject, (message) =>
        this.logger.warn(message),
      );
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

    let watcher;
    try {
      watcher = triggerWatcher(this, client, { instanceId, clientIds, mode });
    } catch (error) {
      // A setting that cannot be read (an availability target): say which and what to do.
      throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error));
    }
    let result;
    try {
      result = await watcher.check();
    } catch (caught) {
      const error =
        caught instanceof OnsMqttError
          ? caught
          : new OnsMqttError({ code: 'InternalClientError', message: String(caught) });
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
    const out: INodeExecutionData[] = (
      [
        ...result.events,
        ...result.incidents,
        ...result.health,
        ...(result.summary ? [result.summary] : []),
      ] as unknown as IDataObject[]
    ).map((json) => ({ json: { ...json } }));
    // The check's state is saved with its events marked fired: a report that fails (n8n's binary
    // store, say) must not throw them away with it. It is said, and tried again at the next poll.
    try {
      const report = await dueReport(this, watcher);
      if (report) out.push(report);
    } catch (error) {
      this.logger.warn(
        `Alibaba Cloud MQTT Trigger: the availability report could not be made (${error instanceof Error ? error.message : String(error)}); the events go out, the report is tried again at the next poll.`,
      );
    }
    if (out.length === 0) return null;
    return [out];
  }
}

/**
 * The availability report when one is due (Fleet Health > Report Every): the figures as JSON and
 * the SVG picture in the binary field "report". When it was last sent is kept in the static data,
 * which n8n saves with the items it goes out with.
 */
async function dueReport(
  ctx: IPollFunctions,
  watcher: ReturnType<typeof triggerWatcher>,
): Promise<INodeExecutionData | undefined> {
  const health = ctx.getNodeParameter('health', {}) as IDataObject;
  const everyMs = Number(health.reportEveryHours ?? 0) * 60 * 60_000;
  if (!(everyMs > 0)) return undefined;
  const staticData = ctx.getWorkflowStaticData('node');
  const last = typeof staticData.lastReportAt === 'string' ? Date.parse(staticData.lastReportAt) : NaN;
  const now = Date.now();
  if (Number.isFinite(last) && now - last < everyMs) return undefined;
  const report = await watcher.report({
    window: (health.reportWindow ?? 'day') as ReportRequest['window'],
    budgets: watcher.options.budgets,
    timelines: true,
  });
  const binary = await ctx.helpers.prepareBinaryData(
    Buffer.from(reportSvg(report), 'utf8'),
    'availability.svg',
    'image/svg+xml',
  );
  // Marked sent only once it is made: a report that failed is made at the next poll.
  staticData.lastReportAt = new Date(now).toISOString();
  return { json: reportJson(report) as unknown as IDataObject, binary: { report: binary } };
}
