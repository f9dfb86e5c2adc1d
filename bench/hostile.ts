/**
 * Hostile conditions for tests and the benchmark, as a busy host meets them:
 * - `busyEventLoop`: the event loop blocked in slices of `blockMs`, back to back (only I/O and
 *   timers turn between them: a host busy with other flows or executions) or on a duty cycle;
 * - `latencyProxy`: a TCP proxy on 127.0.0.1 that holds every chunk for `oneWayMs` in each
 *   direction (a Redis or a service in another zone), in order, and can drop every connection.
 * Both stop by themselves when asked, and the proxy listens on loopback only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface BusyLoop {
  /** Slices run so far. */
  readonly slices: number;
  stop(): void;
}

/**
 * Blocks this process's event loop for `blockMs` at a time. `idleMs` 0: back to back (the next
 * slice is queued with setImmediate, so one turn of the loop, with its I/O and timers, runs between
 * slices); otherwise `idleMs` free between slices (50 %: idleMs = blockMs).
 */
export function busyEventLoop(blockMs: number, idleMs = 0): BusyLoop {
  let stopped = false;
  let slices = 0;
  const slice = () => {
    if (stopped) return;
    const until = performance.now() + blockMs;
    while (performance.now() < until) {
      /* a synchronous piece of someone else's work */
    }
    slices++;
    if (idleMs > 0) setTimeout(slice, idleMs);
    else setImmediate(slice);
  };
  setImmediate(slice);
  return {
    get slices() {
      return slices;
    },
    stop: () => void (stopped = true),
  };
}

export interface LatencyProxy {
  port: number;
  host: string;
  /** Connections made through it so far. */
  readonly connections: number;
  /** Changes the one-way delay for what is sent from now on. */
  setDelay(oneWayMs: number): void;
  /** Destroys every open connection (both sides see it drop). */
  dropAll(): void;
  /** From now on, what clients send is swallowed while their sockets stay open (a hung client). */
  freezeClients(): void;
  close(): Promise<void>;
}

/** A TCP proxy to `target` that delays each direction by `oneWayMs` (the round trip by twice that). */
export async function latencyProxy(target: { host: string; port: number }, oneWayMs: number): Promise<LatencyProxy> {
  let delay = oneWayMs;
  let connections = 0;
  let frozen = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const forward = (from: Socket, to: Socket, fromClient: boolean) => {
      // Each chunk leaves `delay` after it came; a constant delay keeps the order.
      from.on('data', (chunk: Buffer) => {
        if (frozen && fromClient) return;
        const send = () => {
          if (!to.destroyed) to.write(chunk);
        };
        if (delay > 0) setTimeout(send, delay).unref();
        else send();
      });
      // What is in flight when a side ends is delivered first; these timers never hold a process.
      from.on('end', () => setTimeout(() => to.end(), delay).unref());
      from.on('error', () => to.destroy());
      from.on('close', () => {
        open.delete(from);
        setTimeout(() => to.destroy(), delay).unref();
      });
    };
    forward(client, upstream, true);
    forward(upstream, client, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    host: '127.0.0.1',
    get connections() {
      return connections;
    },
    setDelay: (ms) => void (delay = ms),
    freezeClients: () => void (frozen = true),
    dropAll: () => {
      for (const s of open) s.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
