import {
  budgetOptionsFrom,
  parseClientIdList,
  reportJson,
  reportSvg,
  traceAvailabilityReport,
  type ReportRequest,
} from '../../../../lib/portable';
import type { IDataObject } from 'n8n-workflow';
import { instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/**
 * The availability report of devices from their connection trace (no watch needed): uptime,
 * outages, MTTR, MTBF, the longest outage and the reasons, per device, per group and for the fleet,
 * as JSON, and as an SVG picture in the item's binary data (to mail or post to a chat).
 */
export const getAvailabilityReport: N8nOperation = {
  resource: 'fleetHealth',
  option: {
    name: 'Get Availability Report',
    value: 'getAvailabilityReport',
    description: 'Get uptime, outages, MTTR and reasons of devices over a window, with an SVG picture',
    action: 'Get an availability report of devices',
  },
  subtitle: 'Get Availability Report',
  outputs: ['Report'],
  properties: [
    {
      displayName: 'Client IDs',
      name: 'clientIds',
      type: 'string',
      typeOptions: { rows: 4 },
      default: '',
      required: true,
      placeholder: 'GID_group@@@device1\nGID_group@@@device2',
      description: 'Devices to report on, one per line or comma-separated (at most 1,000)',
    },
    instanceIdParameter,
    {
      displayName: 'Window',
      name: 'window',
      type: 'options',
      default: 'day',
      options: [
        { name: 'From - To', value: 'custom' },
        { name: 'Last 30 Days', value: '30days' },
        { name: 'Last Day', value: 'day' },
        { name: 'Last Hour', value: 'hour' },
        { name: 'Last Week', value: 'week' },
      ],
      description: 'The time the report covers (the connection trace is read one day per query, at most 30 days)',
    },
    {
      displayName: 'From',
      name: 'from',
      type: 'dateTime',
      default: '={{ $now.minus({ days: 7 }).toISO() }}',
      displayOptions: { show: { window: ['custom'] } },
      description: 'Start of the window',
    },
    {
      displayName: 'To',
      name: 'to',
      type: 'dateTime',
      default: '={{ $now.toISO() }}',
      displayOptions: { show: { window: ['custom'] } },
      description: 'End of the window',
    },
    {
      displayName: 'Availability Targets',
      name: 'availabilityTargets',
      type: 'string',
      default: '',
      placeholder: '99.5',
      description:
        'Error budgets in the report: a percentage for every group, or one GID_group=percent per line (empty: none)',
    },
    {
      displayName: 'Put Picture in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      description: 'The binary field that gets the SVG picture',
    },
  ],
  // From and To are read only for a custom window: n8n refuses to read a parameter it does not show.
  parameters: ['clientIds', 'instanceId', 'window', 'availabilityTargets', 'binaryPropertyName'],
  async run({ ctx, index, params, client, signal }) {
    const window: ReportRequest['window'] =
      params.window === 'custom'
        ? { from: ctx.getNodeParameter('from', index) as string, to: ctx.getNodeParameter('to', index) as string }
        : (params.window as ReportRequest['window']);
    const report = await traceAvailabilityReport(
      client,
      {
        instanceId: params.instanceId as string,
        clientIds: parseClientIdList(params.clientIds),
        window,
        budgets: budgetOptionsFrom({ targets: params.availabilityTargets }),
        timelines: true,
      },
      { signal },
    );
    const svg = reportSvg(report);
    const field = String(params.binaryPropertyName || 'data').trim() || 'data';
    const binary = await ctx.helpers.prepareBinaryData(Buffer.from(svg, 'utf8'), 'availability.svg', 'image/svg+xml');
    return { output: 0, json: reportJson(report) as unknown as IDataObject, binary: { [field]: binary } };
  },
};
