import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { OnsMqttError } from '../../../lib';
import { readItemParameters } from './item-parameters';
import { failureJson, nodeErrorFor, routingMode } from './routing';

/** What one item became: the output it goes to and the fields added to it (or, for lists, items of its own). */
export type ItemResult = { output: number; json: IDataObject } | { output: number; many: IDataObject[] };

/**
 * The operations that are not status checks: each item through `run` (sequentially within the
 * item list; the core's scheduler paces the requests), its fields kept and the result added.
 * Every item ends in exactly one output: a failure follows n8n's "On Error" setting (thrown,
 * or continued with the same failure shape as every other operation, in output 0).
 */
export async function runPerItem(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  outputs: number,
  parameters: readonly string[],
  run: (params: Record<string, unknown>, index: number) => Promise<ItemResult>,
): Promise<INodeExecutionData[][]> {
  const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
  for (let index = 0; index < items.length; index++) {
    const input = items[index]?.json ?? {};
    const params = readItemParameters(ctx, parameters, index);
    try {
      if (params instanceof OnsMqttError) throw params;
      const result = await run(params, index);
      if ('many' in result) for (const json of result.many) out[result.output].push({ json, pairedItem: { item: index } });
      else out[result.output].push({ json: { ...input, ...result.json }, pairedItem: { item: index } });
    } catch (caught) {
      const error = caught instanceof OnsMqttError ? caught : new OnsMqttError({ code: 'InvalidInput', message: String(caught) });
      const ids = {
        clientId: params instanceof OnsMqttError ? undefined : params.clientId,
        instanceId: params instanceof OnsMqttError ? undefined : params.instanceId,
      };
      failed(ctx, out, items, error, index, ids);
    }
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
