import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { asOnsMqttError, OnsMqttError, SessionBatcher, type OnsMqttClient } from '../../../lib/portable';
import { createClient } from '../../n8n-common/client';
import type { OperationResult } from './operation';
import { DEFAULT_RESOURCE, findOperation } from './operations';
import { failureJson, nodeErrorFor, routeOutcomes, routingMode, type ItemOutcome } from './routing';

type Ids = { clientId: unknown; instanceId: unknown };
type Settled = { index: number; result: OperationResult } | { index: number; error: OnsMqttError; ids: Ids };

/**
 * Every item through the chosen operation at once (the core's scheduler paces the requests and caps
 * those in flight; a wait holds no slot between its checks), then each to exactly one output:
 * status checks to Online, Offline, Retry or Fail; other results to the operation's outputs; a
 * failure where n8n's "On Error" setting says.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const resource = this.getNodeParameter('resource', 0, DEFAULT_RESOURCE) as string;
  const operation = this.getNodeParameter('operation', 0) as string;
  const op = findOperation(resource, operation);
  if (!op) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`);

  let client: OnsMqttClient | undefined;
  let setupError: OnsMqttError | undefined;
  try {
    // Inside the try: if this threw out of execute() under "Continue", n8n would pass every input
    // item to output 0, i.e. report them all Online.
    const credentials = await this.getCredentials('alibabaCloudMqttApi');
    client = createClient(this, credentials, this.getNodeParameter('options', 0, {}) as IDataObject, (text) =>
      this.logger.warn(text),
    );
  } catch (error) {
    setupError = asOnsMqttError(error, 'credentials');
  }
  const signal = typeof this.getExecutionCancelSignal === 'function' ? this.getExecutionCancelSignal() : undefined;
  const batchers = new Map<boolean, SessionBatcher>();
  const batch = (offlineDetails: boolean) => {
    let batcher = batchers.get(offlineDetails);
    if (!batcher)
      batchers.set(offlineDetails, (batcher = new SessionBatcher(() => client!, { signal, offlineDetails })));
    return batcher;
  };

  const settled = await Promise.all(
    items.map(async (_item, index): Promise<Settled> => {
      // Bad credentials or options fail every item alike, routed like any other failure.
      if (setupError) return { index, error: setupError, ids: { clientId: undefined, instanceId: undefined } };
      const params = readItemParameters(this, op.parameters, index);
      if (params instanceof OnsMqttError)
        return { index, error: params, ids: { clientId: undefined, instanceId: undefined } };
      try {
        return { index, result: await op.run({ ctx: this, index, params, client: client!, batch, signal }) };
      } catch (caught) {
        return {
          index,
          error: asOnsMqttError(caught, 'input'),
          ids: { clientId: params.clientId, instanceId: params.instanceId },
        };
      }
    }),
  );
  if (op.outputs === 'status') {
    const routeErrors = this.getNodeParameter('routeErrors', 0, false) as boolean;
    return routeOutcomes(this, items, settled.map(asStatusOutcome), routingMode(this, routeErrors));
  }
  return toOutputs(this, items, settled, op.outputs.length);
}

function asStatusOutcome(item: Settled): ItemOutcome {
  if ('error' in item) return { index: item.index, error: item.error, ...item.ids };
  if (!('status' in item.result)) throw new Error('A status operation returned no status.');
  return { index: item.index, status: item.result.status };
}

/** Each item's result on its output, its own fields kept (a list's items are new), in input order. */
function toOutputs(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  settled: Settled[],
  outputs: number,
): INodeExecutionData[][] {
  const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
  const mode = routingMode(ctx, false);
  for (const item of settled) {
    const { index } = item;
    const input = items[index]?.json ?? {};
    const pairedItem = { item: index };
    if ('error' in item) {
      if (mode.onError === 'stopWorkflow') throw nodeErrorFor(ctx, { index, error: item.error, ...item.ids });
      out[0].push({ json: failureJson(mode, input, item.error, item.ids), pairedItem });
    } else if ('many' in item.result) {
      for (const json of item.result.many) out[item.result.output].push({ json, pairedItem });
    } else if ('json' in item.result) {
      const binary = item.result.binary ? { ...items[index]?.binary, ...item.result.binary } : items[index]?.binary;
      out[item.result.output].push({
        json: { ...input, ...item.result.json },
        ...(binary ? { binary } : {}),
        pairedItem,
      });
    } else {
      // A status belongs to a status operation: said loudly rather than the item lost.
      throw new NodeOperationError(
        ctx.getNode(),
        'This operation gave a device status but has no Online and Offline outputs.',
        { itemIndex: index },
      );
    }
  }
  return out;
}

/**
 * Read one item's parameters. An expression that fails is a bad parameter for that item only:
 * it becomes that item's InvalidInput outcome instead of stopping the whole node.
 */
function readItemParameters(
  ctx: IExecuteFunctions,
  names: readonly string[],
  index: number,
): Record<string, unknown> | OnsMqttError {
  const values: Record<string, unknown> = {};
  for (const name of names) {
    try {
      values[name] = ctx.getNodeParameter(name, index);
    } catch (error) {
      return asOnsMqttError(error, name);
    }
  }
  return values;
}
