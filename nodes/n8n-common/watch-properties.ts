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
