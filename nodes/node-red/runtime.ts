import {
  allowManyListeners,
  later,
  soon,
  asOnsMqttError as asCoreError,
  describeError,
  errorFields,
  invalidInput,
  OnsMqttClient,
  OnsMqttError,
  type OnsMqttClientOptions,
} from '../../lib/internal';
import type { ConfigNode } from './config-options';
import { migrateQueryOptions, type SavedQueryOptions } from './migrations';
import type { DoneFn, Node, NodeAPI, NodeMessage, NodeStatus, SendFn } from './types';

/** Where a failed message carries the error details (Catch's own `msg.error` keeps only message and code). */
export const ERROR_PROPERTY = 'alicloudError';

/** Node options shared by the query nodes (edit dialog "Options"); old names in migrations.ts. */
export interface QueryOptionsDef extends SavedQueryOptions {
  timeout?: unknown;
  concurrency?: unknown;
}

function numberOrUndefined(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return Number(value);
}

/** One client per node, built on first use from its config node; a bad config is a clear error. */
export function clientFactory(RED: NodeAPI, configId: unknown, saved: QueryOptionsDef): () => OnsMqttClient {
  const def = migrateQueryOptions(saved);
  let client: OnsMqttClient | undefined;
  return () => {
    if (client) return client;
    const config = (typeof configId === 'string' && configId ? RED.nodes.getNode(configId) : null) as ConfigNode | null;
    if (!config || typeof config.clientOptions !== 'function') {
      throw invalidInput(
        'config',
        'no Alibaba Cloud MQTT config node is selected: open this node and choose or add one.',
      );
    }
    const options: OnsMqttClientOptions = {
      ...config.clientOptions(),
      timeoutMs: numberOrUndefined(def.timeout),
      maxRequestsPerSecond: numberOrUndefined(def.maxRequestsPerSecond),
      concurrency: numberOrUndefined(def.concurrency),
    };
    const attempts = numberOrUndefined(def.maxAttempts);
    if (attempts !== undefined) options.retry = { maxAttempts: attempts };
    client = new OnsMqttClient(options);
    return client;
  };
}

/** RED.util.evaluateNodeProperty as a promise (the callback form is needed for flow and global). */
export function evaluate(RED: NodeAPI, node: Node, value: unknown, type: unknown, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(
        value as string,
        typeof type === 'string' && type ? type : 'str',
        node,
        msg,
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** An Error for done(err): Catch sees our message and, on Node-RED 4.1+, `msg.error.code`. */
export function catchableError(error: OnsMqttError): Error & { code: string } {
  const e = new Error(describeError(error)) as Error & { code: string };
  e.code = error.code;
  return e;
}

/** What an input handler caught: a failure of reading the message's input unless it is ours. */
export function asOnsMqttError(error: unknown, field = 'input'): OnsMqttError {
  return asCoreError(error, field);
}

export function attachError(msg: NodeMessage, error: OnsMqttError): NodeMessage {
  msg[ERROR_PROPERTY] = errorFields(error);
  return msg;
}

/**
 * Status that counts concurrent messages: "querying (n)" while any are in flight, then the last
 * result. Cleared on close.
 */
export class InFlightStatus {
  private inFlight = 0;
  private last: NodeStatus = {};

  constructor(
    private readonly node: Node,
    private readonly querying: (n: number) => string,
  ) {}

  begin(count = 1): void {
    this.inFlight += count;
    this.node.status({ fill: 'blue', shape: 'ring', text: this.querying(this.inFlight) });
  }

  end(result: NodeStatus, count = 1): void {
    this.inFlight = Math.max(0, this.inFlight - count);
    this.last = result;
    this.node.status(
      this.inFlight > 0 ? { fill: 'blue', shape: 'ring', text: this.querying(this.inFlight) } : this.last,
    );
  }

  clear(): void {
    this.inFlight = 0;
    this.node.status({});
  }
}

/**
 * One message through a node that makes one call for it: the status counts it while it runs,
 * `body` sends what it produced and returns the status to show; a failure goes to Catch once, with
 * msg.alicloudError, and a message cancelled by a redeploy ends quietly.
 */
export async function handleMessage(
  work: PendingWork,
  status: InFlightStatus,
  msg: NodeMessage,
  done: DoneFn,
  body: () => Promise<NodeStatus>,
): Promise<void> {
  status.begin();
  try {
    const shown = await body();
    status.end({ ...shown, text: shortText(shown.text ?? '') });
    done();
  } catch (caught) {
    const error = asOnsMqttError(caught);
    if (work.quietlyCancelled(error)) return done();
    status.end({ fill: 'red', shape: 'ring', text: shortText(error.code) });
    attachError(msg, error);
    done(catchableError(error));
  }
}

/** Status texts stay under 20 characters (Node-RED truncates them in the editor). */
export function shortText(text: string): string {
  return text.length > 19 ? `${text.slice(0, 18)}…` : text;
}

/** "querying (3)": the word translated and shortened if need be, the count always visible. */
export function countText(word: string, n: number): string {
  const suffix = ` (${n})`;
  const room = 19 - suffix.length;
  return `${word.length > room ? `${word.slice(0, room - 1)}…` : word}${suffix}`;
}

/**
 * In-flight work of a node, so that close can cancel waits and further attempts and then wait
 * (well within Node-RED's 15 s close limit) for requests already on the wire.
 */
export class PendingWork {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  /** Queries ended by close (counted, not reported one by one). */
  cancelledByClose = 0;

  constructor() {
    // Every message in flight listens on this one signal: hundreds of listeners are expected.
    allowManyListeners(this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * True for an outcome that only says "the node closed under me": counted for one summary line at
   * close instead of an error per message (a redeploy during a 300-id check is not 300 errors).
   */
  quietlyCancelled(error: OnsMqttError): boolean {
    if (!this.controller.signal.aborted || error.code !== 'Aborted') return false;
    this.cancelledByClose++;
    return true;
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.then(
      () => this.pending.delete(promise),
      () => this.pending.delete(promise),
    );
    return promise;
  }

  async close(limitMs = 5_000): Promise<void> {
    this.controller.abort();
    if (this.pending.size === 0) return;
    let cancel: () => void = () => undefined;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((resolve) => {
        cancel = later(limitMs, () => resolve(undefined));
      }),
    ]);
    cancel();
  }
}

/**
 * Messages started per turn of the event loop. Node-RED delivers a burst (a split node's 5,500
 * messages) in one go, and starting a query costs some 40 µs of synchronous work (checks, queueing,
 * status): 5,500 at once held the event loop for 220 ms, every other flow of the process with it.
 * Taken in at once and started a slice per turn, a burst costs the loop about 2 ms at a time.
 */
export const INPUT_SLICE = 32;

/**
 * The input and close handlers every query node needs. `handle` reports its own outcome through
 * done(); the extra catch only guards against a bug in it, since a rejected promise in an input
 * handler takes the whole Node-RED process down. Messages start in the order they came, at most
 * INPUT_SLICE per turn of the event loop; one not started yet when the node closes ends quietly,
 * counted with the queries that close cancelled.
 */
export function wireHandlers(
  node: Node,
  work: PendingWork,
  handle: (msg: NodeMessage, send: SendFn, done: DoneFn) => Promise<void>,
  onClose: () => void,
): void {
  let intake: Array<[NodeMessage, SendFn, DoneFn]> = [];
  let next = 0;
  let scheduled = false;
  let closing = false;
  const start = (msg: NodeMessage, send: SendFn, done: DoneFn) =>
    void work
      .track(handle(msg, send, done))
      .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  const startSlice = () => {
    scheduled = false;
    if (closing) return;
    const end = Math.min(intake.length, next + INPUT_SLICE);
    while (next < end) {
      const [msg, send, done] = intake[next];
      intake[next++] = undefined as never; // started: no longer held here
      start(msg, send, done);
    }
    if (next < intake.length) {
      scheduled = true;
      soon(startSlice);
    } else {
      intake = [];
      next = 0;
    }
  };
  node.on('input', (msg, send, done) => {
    // After close nothing would start it: it ends now, like those close found waiting.
    if (closing) {
      work.cancelledByClose++;
      return done();
    }
    intake.push([msg, send, done]);
    if (!scheduled) {
      scheduled = true;
      soon(startSlice);
    }
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    for (let i = next; i < intake.length; i++) {
      work.cancelledByClose++;
      intake[i][2]();
    }
    intake = [];
    next = 0;
    void work.close().then(() => {
      if (work.cancelledByClose > 0) node.log(`closed while querying: ${work.cancelledByClose} queries cancelled`);
      onClose();
      done();
    });
  });
}
