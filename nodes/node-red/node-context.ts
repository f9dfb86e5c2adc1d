/**
 * What a query node's message handling works with, apart from Node-RED's registration: the
 * runtime, the node, its settings (old names migrated), its client, its in-flight work and status.
 * The handlers in `handlers/` are named functions over this context, so that a reader (and a test)
 * can enter one without going through `register`.
 */
import type { OnsMqttClient } from '../../lib/internal';
import { migrateQueryOptions } from './migrations';
import {
  clientFactory,
  countText,
  evaluate,
  handleMessage,
  InFlightStatus,
  PendingWork,
  wireHandlers,
  type QueryOptionsDef,
} from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from './types';

export interface QueryNodeDef extends NodeDef, QueryOptionsDef {
  config?: string;
}

export interface QueryNodeContext<D extends QueryNodeDef> {
  readonly RED: NodeAPI;
  readonly node: Node;
  readonly def: D;
  readonly work: PendingWork;
  readonly status: InFlightStatus;
  readonly client: () => OnsMqttClient;
  /** A setting's typed input (msg, flow, global, str, env, jsonata ...) evaluated for msg. */
  evaluate(value: unknown, type: unknown, msg: NodeMessage): Promise<unknown>;
}

export function queryNodeContext<D extends QueryNodeDef>(
  RED: NodeAPI,
  node: Node,
  saved: D,
  statusKey: string,
): QueryNodeContext<D> {
  const def = migrateQueryOptions(saved);
  return {
    RED,
    node,
    def,
    work: new PendingWork(),
    status: new InFlightStatus(node, (n) => countText(RED._(statusKey), n)),
    client: clientFactory(RED, def.config, def),
    evaluate: (value, type, msg) => evaluate(RED, node, value, type, msg),
  };
}

/** A handler that takes a whole message (and reports through done itself). */
export type MessageHandler<D extends QueryNodeDef> = (
  ctx: QueryNodeContext<D>,
  msg: NodeMessage,
  send: SendFn,
  done: DoneFn,
) => Promise<void>;

/** A handler that makes one call for a message: sends what it produced and returns the status to show. */
export type OneCallHandler<D extends QueryNodeDef> = (
  ctx: QueryNodeContext<D>,
  msg: NodeMessage,
  send: SendFn,
) => Promise<NodeStatus>;

/** A one-call handler as a message handler: status counted, failure to Catch once, cancellation quiet. */
export function oneCall<D extends QueryNodeDef>(handler: OneCallHandler<D>): MessageHandler<D> {
  return (ctx, msg, send, done) => handleMessage(ctx.work, ctx.status, msg, done, () => handler(ctx, msg, send));
}

/** Registers a query node: its context built once per node, each message through `handler`. */
export function registerQueryNode<D extends QueryNodeDef>(
  RED: NodeAPI,
  type: string,
  statusKey: string,
  handler: MessageHandler<D>,
): void {
  RED.nodes.registerType(type, function QueryNode(this: Node, def: D) {
    RED.nodes.createNode(this, def);
    const ctx = queryNodeContext(RED, this, def, statusKey);
    wireHandlers(
      this,
      ctx.work,
      (msg, send, done) => handler(ctx, msg, send, done),
      () => ctx.status.clear(),
    );
  });
}
