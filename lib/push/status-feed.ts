/**
 * One Cloud SDK subscription per endpoint, instance and AccessKey in a process, fanned out to every
 * watch that asks for it. The service gives each status event of a group to one consumer of that
 * group (competing consumers): two watches of one group in one process, each with a consumer of
 * its own, would each see about half of the changes, and drop the devices the other watches. Here
 * every watch of the process is a listener of one connection, which consumes the union of their
 * groups and parent topics; each event goes to every listener of its group, and is acknowledged
 * once all of them handed it on (a listener that fails drops the connection: the service gives the
 * event again to all, and their saved states make the repeat harmless).
 *
 * A listener that brings a group or topic the connection does not consume yet reconnects it with
 * the new union (every listener then re-polls, as after any reconnect). Watches in *different*
 * processes still compete: docs/push.md says how leadership gives one group one consumer.
 */
import { createHash } from 'node:crypto';
import { StatusSubscription, type StatusSubscriptionOptions } from './status-subscription';
import type { DeviceMessage } from './device-message';
import type { MalformedKind, StatusEvent } from './status-event';
import type { OnsMqttError } from '../base/errors';

/** What one watch receives: a StatusSubscription's options, for its own groups and topics. */
export type StatusFeedOptions = StatusSubscriptionOptions;

export interface StatusFeed {
  readonly connected: boolean;
  /** As StatusSubscription.start: settles with the first attempt of the shared connection (or at once if it is up). */
  start(): Promise<void>;
  /** Leaves the shared connection; the last listener closes it. */
  stop(): Promise<void>;
}

interface Listener {
  groupIds: ReadonlySet<string>;
  parentTopics: ReadonlySet<string>;
  onEvent: (event: StatusEvent) => Promise<void> | void;
  onMessage?: (message: DeviceMessage) => Promise<void> | void;
  onConnected?: () => void;
  onError?: (error: OnsMqttError) => void;
  onMalformed?: (kind: MalformedKind, count: number) => void;
}

const hubs = new Map<string, Hub>();

/** The feed of `options` over the process's one connection for its endpoint, instance and key. */
export function statusFeed(options: StatusFeedOptions): StatusFeed {
  const key = hubKey(options);
  let hub = hubs.get(key);
  if (!hub) hubs.set(key, (hub = new Hub(key, options)));
  const listener: Listener = {
    groupIds: new Set(options.groupIds),
    parentTopics: new Set(options.parentTopics ?? []),
    onEvent: (event) => options.onEvent(event),
    onMessage: options.onMessage && ((message) => options.onMessage?.(message)),
    onConnected: () => options.onConnected?.(),
    onError: (error) => options.onError?.(error),
    onMalformed: (kind, count) => options.onMalformed?.(kind, count),
  };
  const owner = hub;
  let joined = false;
  return {
    get connected() {
      return joined && owner.connected;
    },
    start: () => {
      joined = true;
      return owner.join(listener);
    },
    stop: async () => {
      if (!joined) return;
      joined = false;
      await owner.leave(listener);
    },
  };
}

/** Listeners on one connection: which groups and topics it consumes is the union of theirs. */
class Hub {
  private readonly listeners = new Set<Listener>();
  private subscription: StatusSubscription | undefined;
  private consuming = { groups: new Set<string>(), topics: new Set<string>() };
  private starting: Promise<void> | undefined;

  /** The first listener's options without the secret, which a closure keeps (util.inspect shows none). */
  private readonly base: Omit<StatusFeedOptions, 'accessKeySecret'>;
  private readonly secret: () => string;

  constructor(
    private readonly key: string,
    options: StatusFeedOptions,
  ) {
    const { accessKeySecret, ...base } = options;
    this.base = base;
    this.secret = () => accessKeySecret;
  }

  get connected(): boolean {
    return this.subscription?.connected ?? false;
  }

  async join(listener: Listener): Promise<void> {
    this.listeners.add(listener);
    const covered =
      [...listener.groupIds].every((g) => this.consuming.groups.has(g)) &&
      [...listener.parentTopics].every((t) => this.consuming.topics.has(t));
    if (this.subscription && covered) {
      // Already consuming what it needs: it re-polls as after a connect of its own.
      if (this.subscription.connected) listener.onConnected?.();
      return this.starting;
    }
    await this.restart();
  }

  async leave(listener: Listener): Promise<void> {
    if (!this.listeners.delete(listener)) return;
    if (this.listeners.size > 0) return;
    hubs.delete(this.key);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  /** A new connection for the union of what the listeners ask for (the old one stops). */
  private async restart(): Promise<void> {
    const previous = this.subscription;
    const groups = new Set([...this.listeners].flatMap((l) => [...l.groupIds]));
    const topics = new Set([...this.listeners].flatMap((l) => [...l.parentTopics]));
    this.consuming = { groups, topics };
    const subscription = new StatusSubscription({
      ...this.base,
      accessKeySecret: this.secret(),
      groupIds: [...groups],
      parentTopics: [...topics],
      onEvent: (event) => this.onEvent(event),
      onMessage: (message) => this.onMessage(message),
      onConnected: () => this.each((l) => l.onConnected?.()),
      onError: (error: OnsMqttError) => this.each((l) => l.onError?.(error)),
      onMalformed: (kind: MalformedKind, count: number) => this.each((l) => l.onMalformed?.(kind, count)),
    });
    this.subscription = subscription;
    await previous?.stop();
    this.starting = subscription.start();
    return this.starting;
  }

  private each(act: (listener: Listener) => void): void {
    for (const listener of [...this.listeners]) act(listener);
  }

  private async onEvent(event: StatusEvent): Promise<void> {
    const group = event.clientId.split('@@@')[0];
    await Promise.all([...this.listeners].filter((l) => l.groupIds.has(group)).map(async (l) => l.onEvent(event)));
  }

  private async onMessage(message: DeviceMessage): Promise<void> {
    const parent = message.topic.split('/')[0];
    await Promise.all(
      [...this.listeners].filter((l) => l.parentTopics.has(parent)).map(async (l) => l.onMessage?.(message)),
    );
  }
}

/** Endpoint, instance, network, AccessKey ID and a digest of the secret (never the secret itself). */
function hubKey(o: StatusFeedOptions): string {
  const secret = createHash('sha256')
    .update(o.accessKeySecret ?? '')
    .digest('hex')
    .slice(0, 16);
  return [o.endpoint ?? '', o.network ?? 'public', o.instanceId, o.accessKeyId, secret, o.heartbeatSeconds ?? ''].join(
    '\u0000',
  );
}
