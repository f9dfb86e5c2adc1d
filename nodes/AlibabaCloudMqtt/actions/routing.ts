import {
  NodeApiError,
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type JsonObject,
} from 'n8n-workflow';
import {
  describeError,
  errorAdvice,
  errorFields,
  errorHeadline,
  failedStatusFields,
  statusFields,
  type OnsMqttError,
  type SessionStatus,
} from '../../../lib/portable';

/** What became of one input item. */
export type ItemOutcome =
  | { index: number; status: SessionStatus }
  | { index: number; error: OnsMqttError; clientId: unknown; instanceId: unknown };

export const OUTPUT = { online: 0, offline: 1, retry: 2, fail: 3 } as const;

export interface RoutingMode {
  /** The Retry and Fail outputs are on. */
  routeErrors: boolean;
  /** Used as an AI tool: the agent reads output 0 only. */
  toolMode: boolean;
  onError: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}

export function routingMode(ctx: IExecuteFunctions, routeErrors: boolean): RoutingMode {
  const node = ctx.getNode();
  const onError = node.onError ?? (ctx.continueOnFail() ? 'continueRegularOutput' : 'stopWorkflow');
  return { routeErrors, toolMode: node.type.endsWith('Tool'), onError: onError as RoutingMode['onError'] };
}

/** The thrown form of a failed item: NodeOperationError for bad input, NodeApiError for the API. */
export function nodeErrorFor(
  ctx: IExecuteFunctions,
  outcome: Extract<ItemOutcome, { error: OnsMqttError }>,
): NodeApiError | NodeOperationError {
  const e = outcome.error;
  const description = errorAdvice(e);
  if (e.code === 'InvalidInput') {
    return new NodeOperationError(ctx.getNode(), e.message, { itemIndex: outcome.index, description: e.hint });
  }
  return apiError(ctx, e, outcome.index, description);
}

/**
 * Every input item to exactly one output, keeping its own fields with the result added.
 * Never sends a failed item to Online. Throws for the first failed item under "Stop Workflow".
 */
export function routeOutcomes(
  ctx: IExecuteFunctions,
  items: INodeExecutionData[],
  outcomes: ItemOutcome[],
  mode: RoutingMode,
): INodeExecutionData[][] {
  const outputs: INodeExecutionData[][] = mode.routeErrors ? [[], [], [], []] : [[], []];
  const sorted = [...outcomes].sort((a, b) => a.index - b.index);
  if (mode.onError === 'stopWorkflow' && !mode.routeErrors) {
    const firstFailure = sorted.find((o): o is Extract<ItemOutcome, { error: OnsMqttError }> => 'error' in o);
    if (firstFailure) throw nodeErrorFor(ctx, firstFailure);
  }
  for (const outcome of sorted) {
    const input = items[outcome.index]?.json ?? {};
    const pairedItem = { item: outcome.index };
    if ('status' in outcome) {
      const json = { ...input, ...statusFields(outcome.status) };
      const port = mode.toolMode ? 0 : outcome.status.online ? OUTPUT.online : OUTPUT.offline;
      outputs[port].push({ json, pairedItem });
      continue;
    }
    const e = outcome.error;
    const json = failureJson(mode, input, e, { clientId: outcome.clientId, instanceId: outcome.instanceId });
    if (mode.toolMode) {
      outputs[0].push({ json, pairedItem });
    } else if (mode.routeErrors) {
      outputs[e.retryable ? OUTPUT.retry : OUTPUT.fail].push({ json, pairedItem });
    } else {
      // Continue (either kind): never Online. Under "using error output" n8n moves it to the Error
      // output; under "regular output" the device's state is unknown, so it goes to Offline with
      // `online: null` and the error fields, which an IF on {{$json.error}} separates.
      outputs[OUTPUT.offline].push({ json, pairedItem });
    }
  }
  return outputs;
}

/**
 * The one shape of a failed item, for every operation and the trigger's manual run.
 * - "Continue (using error output)": n8n moves an item to its Error output only when its json is
 *   exactly { error } (or { error, message }), and then merges the input item's fields into it;
 *   so the details go inside `error`.
 * - Otherwise: the input's fields, `online: null`, a readable `error` and the error fields.
 */
export function failureJson(
  mode: Pick<RoutingMode, 'onError' | 'routeErrors' | 'toolMode'>,
  input: IDataObject,
  e: OnsMqttError,
  ids: { clientId: unknown; instanceId: unknown },
): IDataObject {
  const clientId = typeof ids.clientId === 'string' ? ids.clientId : (input.clientId ?? null);
  const instanceId = typeof ids.instanceId === 'string' ? ids.instanceId : (input.instanceId ?? null);
  if (mode.onError === 'continueErrorOutput' && !mode.routeErrors && !mode.toolMode) {
    return { error: { ...errorFields(e), message: describeError(e), clientId, instanceId } };
  }
  return { ...input, ...(failedStatusFields({ clientId, instanceId }, e) as IDataObject) };
}

/**
 * NodeApiError with our message kept as written: n8n replaces any message that merely contains a
 * Node error code such as "EACCES" (as in "mq:MqttInstanceAccess") with a generic text.
 */
export function apiError(
  ctx: IExecuteFunctions,
  e: OnsMqttError,
  itemIndex: number,
  description = errorAdvice(e),
): NodeApiError {
  // The message says what happened, the description what to do: the hint once, not in both.
  const message = errorHeadline(e);
  const error = new NodeApiError(ctx.getNode(), errorFields(e) as unknown as JsonObject, {
    message,
    description,
    httpCode: e.httpStatus !== undefined ? String(e.httpStatus) : undefined,
    itemIndex,
  });
  error.message = message;
  return error;
}
