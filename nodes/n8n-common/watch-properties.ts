import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_RESOLVE_PERCENT } from '../../lib/portable';

/**
 * The fields of a fleet watch, shared by the polling trigger and the Status Trigger so that both
 * are set up alike and give the same items.
 */
export const clientIdsProperty: INodeProperties = {
  displayName: 'Client IDs',
  name: 'clientIds',
  type: 'string',
  typeOptions: { rows: 5 },
  default: '',
  required: true,
  placeholder: 'GID_group@@@device1\nGID_group@@@device2',
  description: 'Devices to watch, one per line or comma-separated',
};

export const modeProperty: INodeProperties = {
  displayName: 'Query Mode',
  name: 'mode',
  type: 'options',
  default: 'exact',
  options: [
    { name: 'Exact', value: 'exact', description: 'One request per device (live answer)' },
    {
      name: 'Batch',
      value: 'batch',
      description: '10 devices per request, for large fleets (answered from the service cache, may lag)',
    },
  ],
};

export const eventsProperty: INodeProperties = {
  displayName: 'Events',
  name: 'events',
  type: 'multiOptions',
  default: ['offline', 'online'],
  options: [
    // `action` is what the nodes panel lists (n8n would otherwise build "On Went Offline").
    { name: 'Went Offline', value: 'offline', action: 'When a device goes offline' },
    { name: 'Came Online', value: 'online', action: 'When a device comes back online' },
  ],
};

export const offlineForMinutesProperty: INodeProperties = {
  displayName: 'Offline for at Least (Minutes)',
  name: 'offlineForMinutes',
  type: 'number',
  typeOptions: { minValue: 0 },
  default: 0,
  description:
    'A device must be seen offline on consecutive polls spanning at least this long before "went offline" fires; a shorter blip fires nothing',
};

export const onlineForMinutesProperty: INodeProperties = {
  displayName: 'Online for at Least (Minutes)',
  name: 'onlineForMinutes',
  type: 'number',
  typeOptions: { minValue: 0 },
  default: 0,
  description: 'The same for coming back: 0 fires on the first poll that sees the device online',
};

export const reportInitialOfflineProperty: INodeProperties = {
  displayName: 'Report Offline at Start',
  name: 'reportInitialOffline',
  type: 'boolean',
  default: false,
  description:
    'Whether the first poll reports devices that are offline already (otherwise it only records the baseline)',
};

export const stormProperty: INodeProperties = {
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
      description:
        'An incident starts when at least this share of the watched devices goes offline in one poll (0: not by share)',
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
};

export const summaryProperty: INodeProperties = {
  displayName: 'Fleet Summary',
  name: 'summary',
  type: 'boolean',
  default: false,
  description:
    'Whether each poll also emits one item with event "summary": online and offline counts, the change since the last poll and the incident in progress (for a dashboard). Every poll then starts the workflow.',
};

/**
 * Fleet health: flapping held back, alarms with a life, error budgets, and a periodic availability
 * report (lib/watch). The same settings as the Node-RED watch node's.
 */
export const healthProperty: INodeProperties = {
  displayName: 'Fleet Health',
  name: 'health',
  type: 'collection',
  placeholder: 'Add Setting',
  default: {},
  description:
    'Hold back flapping devices, keep alarms with a life, watch error budgets, and send an availability report with an SVG picture',
  options: [
    {
      displayName: 'Alarm Severity',
      name: 'alarmSeverity',
      type: 'options',
      default: 'warning',
      options: [
        { name: 'Critical', value: 'critical' },
        { name: 'Major', value: 'major' },
        { name: 'Minor', value: 'minor' },
        { name: 'Warning', value: 'warning' },
      ],
      description: 'Severity of a new alarm (with Alarms on)',
    },
    {
      displayName: 'Alarms',
      name: 'alarms',
      type: 'boolean',
      default: false,
      description:
        'Whether each outage, incident and flapping episode is an alarm with a stable key, a severity and the states active or cleared, acknowledged or not (each event carries its alarm)',
    },
    {
      displayName: 'Availability Targets',
      name: 'budgetTargets',
      type: 'string',
      default: '',
      placeholder: '99.5',
      description:
        'Error budgets: a percentage for every group, or one GID_group=percent per line. One "budget_burn" item when a group burns its budget at the alert rate, one "budget_recovered" when it stops.',
    },
    {
      displayName: 'Budget Window (Days)',
      name: 'budgetWindowDays',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 31 },
      default: 30,
      description: 'The window the availability targets are over',
    },
    {
      displayName: 'Burn Rate Alert',
      name: 'burnRateAlert',
      type: 'number',
      typeOptions: { minValue: 0.1 },
      default: 14.4,
      description:
        "The burn rate (offline share of the last hour over the allowed share) at which the budget alert fires; 14.4 spends 2% of a 30-day budget in an hour (Google's SRE Workbook)",
    },
    {
      displayName: 'Critical After (Minutes)',
      name: 'criticalAfterMinutes',
      type: 'number',
      typeOptions: { minValue: 0 },
      default: 0,
      description: 'An outage alarm becomes critical after this long (0: never)',
    },
    {
      displayName: 'Critical Devices',
      name: 'criticalDevices',
      type: 'string',
      default: '',
      placeholder: 'GID_gateways, GID_group@@@pump-1',
      description: 'Devices or groups whose alarms are critical from the start',
    },
    {
      displayName: 'Flapping From Percent',
      name: 'flapHigh',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 100 },
      default: 20,
      description:
        'A device starts flapping at this weighted percent state change over its last 21 checks (Nagios: 20)',
    },
    {
      displayName: 'Flapping Until Percent',
      name: 'flapLow',
      type: 'number',
      typeOptions: { minValue: 0, maxValue: 100 },
      default: 5,
      description: 'A flapping device settles at or below this percent state change (Nagios: 5)',
    },
    {
      displayName: 'Hold Back Flapping Devices',
      name: 'flapping',
      type: 'boolean',
      default: false,
      description:
        'Whether a device that drops and returns again and again gives one "flapping" item instead of one per outage, and one "flapping_stopped" with its state when it settles',
    },
    {
      displayName: 'Major After (Minutes)',
      name: 'majorAfterMinutes',
      type: 'number',
      typeOptions: { minValue: 0 },
      default: 0,
      description: 'An outage alarm becomes major after this long (0: never)',
    },
    {
      displayName: 'Report Every (Hours)',
      name: 'reportEveryHours',
      type: 'number',
      typeOptions: { minValue: 0 },
      default: 0,
      description:
        'Emit an "availability_report" item this often, with the SVG picture in its binary field "report" (0: never)',
    },
    {
      displayName: 'Report Window',
      name: 'reportWindow',
      type: 'options',
      default: 'day',
      options: [
        { name: 'Last Hour', value: 'hour' },
        { name: 'Last Day', value: 'day' },
        { name: 'Last Week', value: 'week' },
        { name: 'Last 30 Days', value: '30days' },
      ],
      description: 'The time each report covers',
    },
  ],
};
