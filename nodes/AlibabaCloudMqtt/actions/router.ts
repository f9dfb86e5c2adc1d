import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { createClient } from '../../shared/n8n-client';
import { getConnectionTrace, getManyStatuses, getStatus, waitUntilOnline } from './deviceSession';
import * as deviceCredential from './deviceCredential';
import * as message from './message';
import * as token from './token';
import { failEvery } from './per-item';
import { routeOutcomes, routingMode, type ItemOutcome } from './routing';
import { asOnsMqttError, OnsMqttError, type OnsMqttClient } from '../../../lib';

type Execute = (this: IExecuteFunctions, client: OnsMqttClient, items: INodeExecutionData[], signal?: AbortSignal) => Promise<INodeExecutionData[][]>;

/** Operations that are not status checks (by operation for Device Session, else by resource), with their output count. */
const SINGLE_ITEM_OPERATIONS: Record<string, { outputs: number; execute: Execute } | undefined> = {
  getConnectionTrace: { outputs: 1, execute: getConnectionTrace.execute },
  waitUntilOnline: { outputs: 2, execute: waitUntilOnline.execute },
  deviceCredential: { outputs: 1, execute: deviceCredential.execute },
  token: { outputs: 1, execute: token.execute },
  message: { outputs: 1, execute: message.execute },
};

/** Dispatch to the operation; status operations share the routing to Online/Offline/Retry/Fail. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const operation = this.getNodeParameter('operation', 0) as string;
  let client: OnsMqttClient | undefined;
  let setupError: OnsMqttError | undefined;
  try {
    // Inside the try: if this threw out of execute() under "Continue", n8n would pass every input
    // item to output 0, i.e. report them all Online.
    const credentials = await this.getCredentials('alibabaCloudMqttApi');
    client = createClient(credentials, this.getNodeParameter('options', 0, {}) as IDataObject, (message) => this.logger.warn(message));
  } catch (error) {
    setupError = asOnsMqttError(error, 'credentials');
  }
  const signal = typeof this.getExecutionCancelSignal === 'function' ? this.getExecutionCancelSignal() : undefined;

  const resource = this.getNodeParameter('resource', 0, 'deviceSession') as string;
  const single = SINGLE_ITEM_OPERATIONS[resource === 'deviceSession' ? operation : resource];
  if (single) {
    if (setupError) return failEvery(this, items, single.outputs, setupError);
    return single.execute.call(this, client!, items, signal);
  }
  if (resource !== 'deviceSession' || (operation !== 'getStatus' && operation !== 'getManyStatuses')) {
    throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`);
  }
  // Bad credentials or options fail every item alike, routed like any other failure.
  const run = operation === 'getStatus' ? getStatus.execute : getManyStatuses.execute;
  const outcomes: ItemOutcome[] = setupError
    ? items.map((_item, index) => ({ index, clientId: undefined, instanceId: undefined, error: setupError }))
    : await run.call(this, client!, items, signal);
  const routeErrors = this.getNodeParameter('routeErrors', 0, false) as boolean;
  return routeOutcomes(this, items, outcomes, routingMode(this, routeErrors));
}
