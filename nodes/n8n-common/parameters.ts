import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { OnsMqttClientOptions } from '../../lib/portable';

/** Options shared by every operation: they tune the core's timeout, retries and rate. */
export const clientOptions: INodeProperties = {
  displayName: 'Options',
  name: 'options',
  type: 'collection',
  placeholder: 'Add Option',
  default: {},
  options: [
    {
      displayName: 'Concurrency',
      name: 'concurrency',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 1000 },
      default: 32,
      description: 'Requests in flight at once',
    },
    {
      displayName: 'Max Attempts',
      name: 'maxAttempts',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 10 },
      default: 4,
      description:
        'Attempts per item for transient errors (throttling, service faults, timeouts), with exponential backoff. Permanent errors are never retried.',
    },
    {
      displayName: 'Max Requests per Second',
      name: 'maxRequestsPerSecond',
      type: 'number',
      typeOptions: { minValue: 0.1, maxValue: 265, numberPrecision: 1 },
      default: 265,
      description:
        "This node's own ceiling, in requests per second per API. It can only lower this node's rate: everything this n8n process sends to one endpoint shares the service's per-IP limit (300/s for single queries, 100/s for batch queries; an IP that goes over can be blocked), which the package keeps to 265/s and 88/s.",
    },
    {
      displayName: 'Timeout (Ms)',
      name: 'timeout',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 600000 },
      default: 10000,
      description: 'How long to wait for each request before retrying',
    },
  ],
};

export const routeErrorsParameter: INodeProperties = {
  displayName: 'Route Errors to Retry and Fail Outputs',
  name: 'routeErrors',
  type: 'boolean',
  default: false,
  description:
    'Whether to add two outputs: Retry (transient failures left after the automatic retries; loop them back through a Wait node) and Fail (permanent failures: parameters, permissions, credentials)',
};

export const instanceIdParameter: INodeProperties = {
  displayName: 'Instance ID',
  name: 'instanceId',
  type: 'string',
  default: '',
  required: true,
  placeholder: 'post-cn-xxxxxxxx',
  description: 'ID of the ApsaraMQ for MQTT instance the devices connect to',
};

/** Client ID per item, by default from the item's own `clientId` field. */
export function clientIdParameter(description: string): INodeProperties {
  return {
    displayName: 'Client ID',
    name: 'clientId',
    type: 'string',
    default: '={{ $json.clientId }}',
    required: true,
    placeholder: 'GID_group@@@device',
    description,
  };
}

/** Why and since when, for offline devices: one connection-trace query each, off by default. */
export const offlineDetailsParameter: INodeProperties = {
  displayName: 'Offline Details',
  name: 'offlineDetails',
  type: 'boolean',
  default: false,
  description:
    'Whether to add why and since when for each offline device: offlineSince, lastDisconnectReason, lastDisconnectCode (keepalive_timeout, client_closed, client_disconnected, client_id_conflict, auth_failed, network_error, invalid_param, unknown) and lastConnectedAt, from its connection trace of the last 24 hours. Costs one more request per offline device; if the trace cannot be read, the status still goes out, with offlineDetailsMissing saying why.',
};

/** A trace's time range and how many events to return: the same fields for every trace operation. */
export function traceRangeParameters(options: { limit: boolean }): INodeProperties[] {
  return [
    {
      displayName: 'From',
      name: 'from',
      type: 'dateTime',
      default: '={{ $now.minus({ hours: 24 }).toISO() }}',
      required: true,
      description: 'Start of the time range (the console limits a trace query to one day)',
    },
    {
      displayName: 'To',
      name: 'to',
      type: 'dateTime',
      default: '={{ $now.toISO() }}',
      required: true,
      description: 'End of the time range',
    },
    ...(options.limit ? limitParameters : []),
  ];
}

const limitParameters: INodeProperties[] = [
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    // HOST_TRACE_LIMIT (lib/host/mapping.ts); a literal, as n8n's linter reads it.
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { returnAll: [false] } },
  },
];

/** The message a trace follows, by default the item's own `msgId` (what Send gives). */
export const msgIdParameter: INodeProperties = {
  displayName: 'Message ID',
  name: 'msgId',
  type: 'string',
  default: '={{ $json.msgId ?? $json.message?.msgId }}',
  required: true,
  placeholder: 'AC1EC0030EAB78308DB16A3EC773BD95',
  description: 'MsgId of the message: what Send returns, or what the client messages trace lists',
};

/** The node's "Options" collection -> core client options. */
export function coreOptionsFromNodeOptions(options: IDataObject): Partial<OnsMqttClientOptions> {
  const out: Partial<OnsMqttClientOptions> = {};
  if (options.timeout !== undefined) out.timeoutMs = options.timeout as number;
  if (options.maxAttempts !== undefined) out.retry = { maxAttempts: options.maxAttempts as number };
  if (options.maxRequestsPerSecond !== undefined) out.maxRequestsPerSecond = options.maxRequestsPerSecond as number;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency as number;
  return out;
}
