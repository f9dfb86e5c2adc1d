import type { INodeProperties } from 'n8n-workflow';
import { clientOptions } from '../../n8n-common/parameters';
import { deviceCredential } from './deviceCredential';
import { deviceSession } from './deviceSession';
import { fleetHealth } from './fleetHealth';
import { message } from './message';
import type { N8nOperation } from './operation';
import { token } from './token';

/** The node's resources, each with its operations (the first one its default). */
export const RESOURCES: ReadonlyArray<{ name: string; value: string; operations: readonly N8nOperation[] }> = [
  { name: 'Device Credential', value: 'deviceCredential', operations: deviceCredential },
  { name: 'Device Session', value: 'deviceSession', operations: deviceSession },
  { name: 'Fleet Health', value: 'fleetHealth', operations: fleetHealth },
  { name: 'Message', value: 'message', operations: message },
  { name: 'Token', value: 'token', operations: token },
];

export const DEFAULT_RESOURCE = 'deviceSession';

/** Every operation, in one list: what the router dispatches on and what the tests walk. */
export const OPERATIONS: readonly N8nOperation[] = RESOURCES.flatMap((r) => r.operations);

export function findOperation(resource: string, operation: string): N8nOperation | undefined {
  return OPERATIONS.find((op) => op.resource === resource && op.option.value === operation);
}

/** The node's fields: the resource, an Operation per resource, each operation's own fields, the options. */
export function nodeProperties(): INodeProperties[] {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return [
    {
      displayName: 'Resource',
      name: 'resource',
      type: 'options',
      noDataExpression: true,
      options: RESOURCES.map(({ name, value }) => ({ name, value })),
      default: DEFAULT_RESOURCE,
    },
    ...RESOURCES.flatMap(({ value: resource, operations }) => [
      {
        displayName: 'Operation',
        name: 'operation',
        type: 'options' as const,
        noDataExpression: true,
        displayOptions: { show: { resource: [resource] } },
        options: operations.map((op) => op.option).sort(byName),
        default: operations[0].option.value,
      },
      ...operations.flatMap((op) =>
        op.properties.map((property) => ({
          ...property,
          displayOptions: {
            ...property.displayOptions,
            show: { resource: [resource], operation: [op.option.value], ...property.displayOptions?.show },
          },
        })),
      ),
    ]),
    clientOptions,
  ];
}

/** The subtitle: the chosen operation's (operation values are unique across resources). */
export function subtitleExpression(): string {
  const subtitles = Object.fromEntries(OPERATIONS.map((op) => [op.option.value, op.subtitle]));
  return `={{ ${JSON.stringify(subtitles)}[$parameter["operation"]] }}`;
}

/**
 * Outputs follow the operation and the "Route Errors" switch: Online and Offline for status checks
 * (plus Retry and Fail when on), the operation's own outputs otherwise. n8n evaluates it as an
 * expression, so the function is self-contained and the table goes in as data.
 */
const configuredOutputs = (
  parameters: { resource?: string; operation?: string; routeErrors?: boolean },
  table: Record<string, string[] | 'status'>,
  defaults: Record<string, string>,
) => {
  const resource = parameters.resource || 'deviceSession';
  const names = table[`${resource}.${parameters.operation || defaults[resource]}`] ?? 'status';
  if (names !== 'status') return names.map((displayName) => ({ type: 'main', displayName }));
  const outputs = [
    { type: 'main', displayName: 'Online' },
    { type: 'main', displayName: 'Offline' },
  ];
  if (parameters.routeErrors)
    outputs.push({ type: 'main', displayName: 'Retry' }, { type: 'main', displayName: 'Fail' });
  return outputs;
};

export function outputsExpression(): `={{${string}}}` {
  const table = Object.fromEntries(OPERATIONS.map((op) => [`${op.resource}.${op.option.value}`, op.outputs]));
  const defaults = Object.fromEntries(RESOURCES.map((r) => [r.value, r.operations[0].option.value]));
  return `={{(${configuredOutputs.toString()})($parameter, ${JSON.stringify(table)}, ${JSON.stringify(defaults)})}}`;
}
