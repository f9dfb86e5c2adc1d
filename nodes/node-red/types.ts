/**
 * The small part of the Node-RED runtime API these nodes use. Node-RED passes `RED` in at load
 * time; nothing here imports `node-red`, so the package installs into n8n without it.
 */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;

export interface Node {
  id: string;
  name?: string;
  credentials: Record<string, string | undefined>;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  context(): {
    get(key: string, store?: string): unknown;
    set(key: string, value: unknown, store?: string): void;
    get(key: string, store: string | undefined, cb: (err: Error | null, value: unknown) => void): void;
    set(key: string, value: unknown, store: string | undefined, cb: (err: Error | null) => void): void;
  };
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    getNode(id: string): unknown;
    registerType<N extends Node = Node, D extends NodeDef = NodeDef>(
      type: string,
      ctor: (this: N, def: D) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, unknown> },
    ): void;
  };
  util: {
    evaluateNodeProperty(value: unknown, type: string, node: Node, msg: NodeMessage, callback: (err: Error | null, result: unknown) => void): void;
    cloneMessage<T extends NodeMessage>(msg: T): T;
    setMessageProperty(msg: NodeMessage, prop: string, value: unknown, createMissing?: boolean): boolean;
    getMessageProperty(msg: NodeMessage, prop: string): unknown;
  };
  _: (key: string, substitutions?: Record<string, unknown>) => string;
  /** The editor's admin HTTP API (Express), with Node-RED's permission checks. */
  httpAdmin?: {
    post(path: string, ...handlers: Array<(req: AdminRequest, res: AdminResponse, next: () => void) => void>): void;
  };
  auth?: { needsPermission(permission: string): (req: AdminRequest, res: AdminResponse, next: () => void) => void };
}

export interface AdminRequest {
  params: Record<string, string>;
  /** The JSON body (Node-RED's admin API parses it). */
  body?: unknown;
}

export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
}
