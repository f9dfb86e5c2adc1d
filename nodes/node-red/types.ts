/**
 * The Node-RED runtime API as `@types/node-red` describes it (types only: nothing here imports
 * `node-red` at run time, so the package installs into n8n without it), and the two callbacks of
 * an input handler by name.
 */
import type {
  Node as RedNode,
  NodeAPI as RedNodeAPI,
  NodeDef as RedNodeDef,
  NodeMessage as RedNodeMessage,
  NodeStatus as RedNodeStatus,
} from 'node-red';

export type NodeMessage = RedNodeMessage & Record<string, unknown>;
export type NodeStatus = RedNodeStatus;
export type NodeDef = RedNodeDef & Record<string, unknown>;
/** A node; its credentials (Node-RED keeps them encrypted) by name. */
export type Node = RedNode<Record<string, string | undefined>>;
export type NodeAPI = RedNodeAPI;
export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;

/** What the config node's admin routes read of a request and write to a response (Express). */
export interface AdminRequest {
  params: Record<string, string>;
  /** The JSON body (Node-RED's admin API parses it). */
  body?: unknown;
}
export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
}
