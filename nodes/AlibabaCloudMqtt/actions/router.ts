import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { createClient } from '../../shared/n8n-client';
import { getConnectionTrace, getManyStatuses, getStatus } from './deviceSession';
import { routeOutcomes, routingMode, type ItemOutcome } from './routing';
import { OnsMqttError, type OnsMqttClient } from '../../../lib';

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
    setupError =
      error instanceof OnsMqttError
        ? error
        : new OnsMqttError({ code: 'InvalidInput', field: 'credentials', message: `credentials: ${error instanceof Error ? error.message : String(error)}` });
  }
  const signal = typeof this.getExecutionCancelSignal === 'function' ? this.getExecutionCancelSignal() : undefined;

  if (operation === 'getConnectionTrace') {
    if (setupError) return getConnectionTrace.failAll.call(this, items, setupError);
    return getConnectionTrace.execute.call(this, client!, items, signal);
  }
  if (operation !== 'getStatus' && operation !== 'getManyStatuses') {
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
