import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { asOnsMqttError, OnsMqttError } from '../../../lib';
import { readItemParameters } from './item-parameters';
import { failureJson, nodeErrorFor, routingMode } from './routing';

/** What one item became: the output it goes to and the fields added to it (or, for lists, items of its own). */
export type ItemResult = { output: number; json: IDataObject } | { output: number; many: IDataObject[] };

/**
 * The operations that are not status checks: every item through `run` at once (the core's
 * scheduler paces the requests and caps those in flight; a wait holds no slot between its checks,
 * so fifty devices are waited for together, not one after another), its fields kept and the result
 * added, in input order. Every item ends in exactly one output: a failure follows n8n's "On Error"
 * setting (the first failed item thrown once all have ended, or continued with the same failure
 * shape as every other operation, in output 0).
 */
export async function runPerItem(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  outputs: number,
  parameters: readonly string[],
  run: (params: Record<string, unknown>, index: number) => Promise<ItemResult>,
): Promise<INodeExecutionData[][]> {
  type Settled = { index: number; result: ItemResult } | { index: number; error: OnsMqttError; ids: { clientId: unknown; instanceId: unknown } };
  const settled = await Promise.all(
    items.map(async (_item, index): Promise<Settled> => {
      const params = readItemParameters(ctx, parameters, index);
      const ids = {
        clientId: params instanceof OnsMqttError ? undefined : params.clientId,
        instanceId: params instanceof OnsMqttError ? undefined : params.instanceId,
      };
      try {
        if (params instanceof OnsMqttError) throw params;
        return { index, result: await run(params, index) };
      } catch (caught) {
        const error = asOnsMqttError(caught, 'input');
        return { index, error, ids };
      }
    }),
  );
  const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
  for (const item of settled) {
    if ('error' in item) {
      failed(ctx, out, items, item.error, item.index, item.ids);
      continue;
    }
    const { result, index } = item;
    const input = items[index]?.json ?? {};
    if ('many' in result) for (const json of result.many) out[result.output].push({ json, pairedItem: { item: index } });
    else out[result.output].push({ json: { ...input, ...result.json }, pairedItem: { item: index } });
  }
  return out;
}

/** Every item fails with the same setup error (bad credentials or options). */
export function failEvery(ctx: IExecuteFunctions, items: INodeExecutionData[], outputs: number, error: OnsMqttError): INodeExecutionData[][] {
  const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
  items.forEach((_item, index) => failed(ctx, out, items, error, index, { clientId: undefined, instanceId: undefined }));
  return out;
}

function failed(
  ctx: IExecuteFunctions,
  out: INodeExecutionData[][],
  items: INodeExecutionData[],
  error: OnsMqttError,
  index: number,
  ids: { clientId: unknown; instanceId: unknown },
): void {
  const mode = routingMode(ctx, false);
  if (mode.onError === 'stopWorkflow') throw nodeErrorFor(ctx, { index, error, ...ids });
  out[0].push({ json: failureJson(mode, items[index]?.json ?? {}, error, ids), pairedItem: { item: index } });
}
