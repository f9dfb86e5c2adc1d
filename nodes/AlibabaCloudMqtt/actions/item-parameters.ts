import type { IExecuteFunctions } from 'n8n-workflow';
import { asOnsMqttError, OnsMqttError } from '../../../lib';

/**
 * Read one item's parameters. An expression that fails is a bad parameter for that item only:
 * it becomes that item's InvalidInput outcome instead of stopping the whole node.
 */
export function readItemParameters(ctx: IExecuteFunctions, names: readonly string[], index: number): Record<string, unknown> | OnsMqttError {
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
