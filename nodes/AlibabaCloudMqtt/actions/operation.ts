import type {
  IBinaryKeyData,
  IDataObject,
  IExecuteFunctions,
  INodeProperties,
  INodePropertyOptions,
} from 'n8n-workflow';
import {
  HOST_TRACE_LIMIT,
  RETURN_ALL_CEILING,
  type OnsMqttClient,
  type SessionBatcher,
  type SessionStatus,
} from '../../../lib/portable';

/** What one item of one execution gets to work with. */
export interface OperationItem {
  readonly ctx: IExecuteFunctions;
  readonly index: number;
  /** The operation's `parameters`, read for this item (one that fails to read failed the item already). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly client: OnsMqttClient;
  /** The execution's batch queries, shared by its items (10 Client IDs per request), with or without offline details. */
  readonly batch: (offlineDetails: boolean) => SessionBatcher;
  readonly signal: AbortSignal | undefined;
}

/**
 * What one item became: a device's status (routed to Online or Offline by the router), fields
 * added to the item on an output, or items of its own (a list) on an output.
 */
export type OperationResult =
  | { status: SessionStatus }
  | { output: number; json: IDataObject; binary?: IBinaryKeyData }
  | { output: number; many: IDataObject[] };

/**
 * One operation of the node, in one shape: how the editor shows it, what it reads for each item,
 * and what it does with one item. The router alone loops over items, routes results to outputs and
 * builds the node's subtitle, outputs and operation lists from the list of operations.
 */
export interface N8nOperation {
  readonly resource: string;
  /** The Operation option (its `value` is the operation's name). */
  readonly option: INodePropertyOptions & { value: string; action: string };
  /** The node's subtitle while this operation is chosen. */
  readonly subtitle: string;
  /** 'status': Online and Offline (plus Retry and Fail when routed); else the outputs' names. */
  readonly outputs: 'status' | readonly string[];
  /** The operation's own fields; the router shows them for this resource and operation only. */
  readonly properties: readonly INodeProperties[];
  /** Read per item before `run`; an expression that fails is that item's bad input. */
  readonly parameters: readonly string[];
  run(item: OperationItem): Promise<OperationResult>;
}

/** "Return All" (still with a ceiling, so that a busy device cannot exhaust memory) or "Limit". */
export function traceLimit(ctx: IExecuteFunctions, index: number): number {
  const returnAll = ctx.getNodeParameter('returnAll', index, false) as boolean;
  return returnAll ? RETURN_ALL_CEILING : (ctx.getNodeParameter('limit', index, HOST_TRACE_LIMIT) as number);
}
