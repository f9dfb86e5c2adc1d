/**
 * A subscription to the service's own status notifications: the Cloud SDK's AMQP 0-9-1 endpoint,
 * consumed as Alibaba's Go SDK does (the one AMQP adapter of the package, over amqplib):
 * - `<instanceId>-server-internet.mqtt.aliyuncs.com` (or `-internal` in the VPC, or a custom
 *   `amqp://host:port`), vhost `MQTT`, SASL PLAIN with the documented login and a fresh `signKey`
 *   at every dial; HTTP proxies do not apply (AMQP is not HTTP);
 * - `basic.consume` on `STATUS` with `{GROUP_ID}` per watched group, manual acks; no qos, declares
 *   or binds (the service's SDKs never send them);
 * - an event is acknowledged only after the handler's promise resolved (it was handed on and the
 *   state that marks it saved): a crash in between gives it again, never loses it. A handler that
 *   fails makes the subscription reconnect, so that the service delivers the event again;
 * - a malformed event is counted, reported once per kind, and acknowledged (no redelivery loop);
 * - a network fault reconnects with backoff and jitter (retry class); a login refused at the start
 *   stops with a fail-class error and a hint, since trying again cannot fix it (refused later, after
 *   it worked, it is reported and tried again).
 */
import { inspect } from 'node:util';
import { OnsMqttError } from '../base/errors';
import {
  CLOUD_SDK_PORT,
  CLOUD_SDK_VHOST,
  cloudSdkHost,
  cloudSdkPassword,
  cloudSdkUsername,
  STATUS_QUEUE,
} from './login';
import { deviceMessageOf, type DeviceMessage } from './device-message';
import { parseStatusEvent, type MalformedKind, type StatusEvent } from './status-event';

export interface StatusSubscriptionOptions {
  instanceId: string;
  /** The Cloud SDK takes an AccessKey pair (no STS token). */
  accessKeyId: string;
  accessKeySecret: string;
  /** The MQTT Group IDs whose clients' events to receive (`GID_x` for `GID_x@@@device`). */
  groupIds: readonly string[];
  network?: 'public' | 'vpc';
  /** `amqp://host:port`: overrides the network's host (the emulator, a private gateway). */
  endpoint?: string;
  /** Called for each well-formed event; the event is acknowledged when the promise resolves. */
  onEvent(event: StatusEvent): Promise<void> | void;
  /** Parent topics whose device messages to receive as well (same channel, same login). */
  parentTopics?: readonly string[];
  /** Called for each device message of those topics; acknowledged when the promise resolves. */
  onMessage?(message: DeviceMessage): Promise<void> | void;
  /** Called when a connection (the first or a new one) opens, before its first delivery: push state since the last one is unknown. */
  onConnected?(): void;
  /** Called when a connection is lost (retry class, reconnecting) or the login was refused (fail class, stopped). */
  onError?(error: OnsMqttError): void;
  /** Called the first time each kind of malformed event arrives (all are counted in `malformed`). */
  onMalformed?(kind: MalformedKind, count: number): void;
  /** Reconnect backoff: from `baseDelayMs`, doubling to `maxDelayMs`, with full jitter. Default 1 s to 30 s. */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number };
  /** AMQP heartbeat, seconds (the Go SDK's 10 by default). */
  heartbeatSeconds?: number;
}

type AmqpConnection = import('amqplib').ChannelModel;
type AmqpChannel = import('amqplib').Channel;

export class StatusSubscription {
  /** Malformed events by kind, since the start. */
  readonly malformed: Partial<Record<MalformedKind, number>> = {};
  private connection: AmqpConnection | undefined;
  private stopped = false;
  private attempt = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly secret: () => string;
  private readonly target: { hostname: string; port: number };
  private firstOutcome: { resolve: () => void; reject: (e: OnsMqttError) => void } | undefined;

  constructor(
    private readonly options: Omit<StatusSubscriptionOptions, 'accessKeySecret'> & { accessKeySecret?: string },
  ) {
    const secret = options.accessKeySecret ?? '';
    // Kept in a closure, not a field: util.inspect and JSON.stringify of the subscription show no secret.
    this.secret = () => secret;
    this.options = { ...options, accessKeySecret: undefined };
    if (options.endpoint) {
      const url = new URL(options.endpoint);
      if (url.protocol !== 'amqp:')
        throw new OnsMqttError({
          code: 'InvalidInput',
          field: 'endpoint',
          message: `The Cloud SDK endpoint must be amqp://host:port, not ${url.protocol}//.`,
        });
      this.target = { hostname: url.hostname, port: Number(url.port) || CLOUD_SDK_PORT };
    } else {
      this.target = { hostname: cloudSdkHost(options.instanceId, options.network ?? 'public'), port: CLOUD_SDK_PORT };
    }
  }

  /** What the subscription is, for logs and `util.inspect`: never its connection or its key. */
  toJSON(): {
    instanceId: string;
    groupIds: readonly string[];
    endpoint: string;
    connected: boolean;
    malformed: Partial<Record<MalformedKind, number>>;
  } {
    return {
      instanceId: this.options.instanceId,
      groupIds: this.options.groupIds,
      endpoint: this.where(),
      connected: this.connected,
      malformed: { ...this.malformed },
    };
  }

  [inspect.custom](): string {
    return `StatusSubscription ${inspect(this.toJSON())}`;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Connects and consumes. Settles with the first attempt: resolves once consuming; rejects with
   * a refused login (then stopped) or an unreachable endpoint (then still trying with backoff until
   * `stop`: a host can show the error and still keep a way to stop). Stopped first, it resolves.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.firstOutcome = { resolve, reject };
      void this.dial();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.firstOutcome?.resolve();
    this.firstOutcome = undefined;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async dial(): Promise<void> {
    if (this.stopped) return;
    const amqp = await import('amqplib');
    const signKey = String(Date.now());
    let connection: AmqpConnection | undefined;
    try {
      connection = await amqp.connect(
        {
          protocol: 'amqp',
          hostname: this.target.hostname,
          port: this.target.port,
          vhost: CLOUD_SDK_VHOST,
          heartbeat: this.options.heartbeatSeconds ?? 10,
          locale: 'en_US',
        },
        {
          credentials: amqp.credentials.plain(
            cloudSdkUsername(this.options.instanceId, this.options.accessKeyId),
            cloudSdkPassword(this.secret(), signKey),
          ),
          clientProperties: { signKey },
          timeout: 10_000,
        },
      );
      // 'close' follows every 'error', and says what to do; an 'error' without a listener would throw.
      connection.on('error', () => undefined);
      const live = { open: true };
      connection.on('close', (error?: Error) => {
        live.open = false;
        this.lost(connection!, error);
      });
      if (this.stopped) return void (await connection.close().catch(() => undefined));
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      this.connection = connection;
      this.everConnected = true;
      this.attempt = 0;
      // Before the first delivery: a consumer resets what it knew before it hears anything new.
      this.options.onConnected?.();
      for (const groupId of this.options.groupIds) {
        // Deliveries may come before the last consume is confirmed: each is handled on its own connection.
        await channel.consume(
          STATUS_QUEUE,
          (message) => message && void this.handle(connection!, live, channel, message),
          {
            noAck: false,
            arguments: { GROUP_ID: groupId },
          },
        );
      }
      for (const topic of this.options.parentTopics ?? []) {
        await channel.consume(
          topic,
          (message) => message && void this.handleMessage(connection!, live, channel, topic, message),
          { noAck: false },
        );
      }
      this.firstOutcome?.resolve();
      this.firstOutcome = undefined;
    } catch (error) {
      if (this.connection === connection) this.connection = undefined; // its 'close' must not dial a second time
      await connection?.close().catch(() => undefined);
      const failure = this.classify(error);
      // A login refused at the start is a setting to fix: stop. Refused after it worked (keys
      // rotated, maintenance), it is reported and tried again, as the service's own SDKs do.
      if (!failure.retryable && !this.everConnected) {
        this.stopped = true;
        this.options.onError?.(failure);
        this.firstOutcome?.reject(failure);
        this.firstOutcome = undefined;
        return;
      }
      this.options.onError?.(failure);
      this.firstOutcome?.reject(failure);
      this.firstOutcome = undefined;
      this.schedule();
    }
  }

  private async handle(
    connection: AmqpConnection,
    live: { open: boolean },
    channel: AmqpChannel,
    message: import('amqplib').ConsumeMessage,
  ): Promise<void> {
    const parsed = parseStatusEvent(message.content);
    if (!parsed.ok) {
      const count = (this.malformed[parsed.kind] ?? 0) + 1;
      this.malformed[parsed.kind] = count;
      if (count === 1) this.options.onMalformed?.(parsed.kind, count);
      return safely(() => channel.ack(message));
    }
    try {
      await this.options.onEvent(parsed.event);
    } catch {
      // Not handed on: drop this connection without acknowledging; the service gives it again.
      if (live.open) await connection.close().catch(() => undefined);
      return;
    }
    if (live.open) safely(() => channel.ack(message));
  }

  private async handleMessage(
    connection: AmqpConnection,
    live: { open: boolean },
    channel: AmqpChannel,
    parentTopic: string,
    message: import('amqplib').ConsumeMessage,
  ): Promise<void> {
    try {
      await this.options.onMessage?.(deviceMessageOf(parentTopic, message.content, message.properties));
    } catch {
      if (live.open) await connection.close().catch(() => undefined); // given again after the reconnect
      return;
    }
    if (live.open) safely(() => channel.ack(message));
  }

  private lost(connection: AmqpConnection, error: Error | undefined): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    if (this.stopped) return;
    this.options.onError?.(
      new OnsMqttError({
        code: 'CloudSdkUnreachable',
        message: `The Cloud SDK connection to ${this.where()} was lost${error ? ` (${error.message})` : ''}; reconnecting.`,
      }),
    );
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const { baseDelayMs = 1000, maxDelayMs = 30_000 } = this.options.reconnect ?? {};
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** this.attempt++);
    this.timer = setTimeout(() => void this.dial(), Math.max(1, Math.random() * ceiling));
  }

  private where(): string {
    return `${this.target.hostname}:${this.target.port}`;
  }

  private classify(error: unknown): OnsMqttError {
    const text = error instanceof Error ? error.message : String(error);
    if (/ACCESS[-_]REFUSED|403|Login was refused|authentication/i.test(text)) {
      return new OnsMqttError({
        code: 'CloudSdkLoginRefused',
        message: `The Cloud SDK endpoint ${this.where()} refused the login for instance ${this.options.instanceId}.`,
      });
    }
    return new OnsMqttError({
      code: 'CloudSdkUnreachable',
      message: `The Cloud SDK endpoint ${this.where()} could not be reached (${text.replace(/\s+/g, ' ').slice(0, 120)}).`,
    });
  }
}

function safely(act: () => void): void {
  try {
    act();
  } catch {
    // The channel closed meanwhile: the service delivers the event again.
  }
}
