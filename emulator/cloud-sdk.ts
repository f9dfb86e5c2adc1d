/**
 * The Cloud SDK endpoint of ApsaraMQ for MQTT (AMQP 0-9-1 over plain TCP), for the subset the
 * service speaks: the handshake with the documented login, channels, `basic.consume` on `STATUS`
 * with `{GROUP_ID}` (status events of that group's clients) or on a parent topic (what devices
 * publish under it), manual acks and nacks, `confirm.select`, heartbeats.
 *
 * Why a server of our own and not RabbitMQ behind a login front: the password is an HMAC of the
 * connection's `signKey` client property, which no RabbitMQ auth backend is shown; and RabbitMQ
 * has no per-consumer GROUP_ID filter, so one STATUS queue would give every group's events to
 * every consumer. Frames are encoded and decoded with amqplib's own codec (the same generated
 * definitions its client uses), so that what we parse is what a real client writes.
 *
 * Delivery: one queue per group (and per parent topic); consumers of one queue compete (round
 * robin), as consumers of an AMQP queue do (the Java SDK opens four connections that all consume:
 * with a broadcast each event would arrive four times). A delivery not acknowledged when its
 * channel or connection closes is delivered again (`redelivered`), first in line.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';

// amqplib's generated protocol definitions and framing (CommonJS, untyped): the little we use.
// Its package exports only the client API, so its files are loaded by path.
const AMQPLIB = join(dirname(require.resolve('amqplib')), 'lib');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const defs = require(join(AMQPLIB, 'defs.js')) as {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  [name: string]: unknown;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const frames = require(join(AMQPLIB, 'frame.js')) as {
  parseFrame(
    bin: Buffer,
    max: number,
  ): false | { type: number; channel: number; size: number; payload: Buffer; rest: Buffer };
  decodeFrame(frame: object): {
    id?: number;
    channel: number;
    fields?: Record<string, unknown>;
    size?: number;
    content?: Buffer;
  };
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
  HEARTBEAT_BUF: Buffer;
};
const M = defs as unknown as Record<string, number>;
const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
const FRAME_MAX = 131_072;

export interface StatusNotice {
  clientId: string;
  channelId: string;
  eventType: 'connect' | 'disconnect' | 'tcpclean';
  time: number;
  clientIp: string;
}

export interface CloudSdkFaults {
  /** Every status event is delivered twice. */
  duplicate?: boolean;
  /** Status events are held this long and then released newest first (reordering). */
  reorderWindowMs?: number;
  /** Every status event is held this long before delivery. */
  delayMs?: number;
  /** Every login is refused (ACCESS_REFUSED), whatever it says. */
  refuseLogin?: boolean;
}

export interface CloudSdkLogin {
  at: number;
  ok: boolean;
  instanceId?: string;
  accessKeyId?: string;
  reason?: string;
  clientProperties: Record<string, unknown>;
}

export interface RunningCloudSdk {
  host: string;
  port: number;
  /** Pushes one status event to the consumers of its client's group (`<group>@@@<device>`). */
  publishStatus(notice: StatusNotice): void;
  /** A raw body on a group's STATUS queue (malformed events on purpose). */
  publishStatusBody(groupId: string, body: Buffer | string): void;
  /** What a device published, to the consumers of its parent topic. */
  publishDeviceMessage(message: {
    topic: string;
    payload: Buffer;
    clientId: string;
    userProperties?: Array<{ key: string; value: string }>;
  }): void;
  setFaults(faults: CloudSdkFaults): void;
  /** Closes every AMQP connection at once (a network fault): unacknowledged deliveries are kept for redelivery. */
  dropConnections(): void;
  logins(): readonly CloudSdkLogin[];
  /** Deliveries waiting (not yet given to a consumer) and given but not acknowledged, per queue. */
  backlog(): Record<string, { waiting: number; unacked: number }>;
  reset(): void;
  stop(): Promise<void>;
}

interface Delivery {
  body: Buffer<ArrayBufferLike>;
  properties: Record<string, unknown>;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
}
interface Consumer {
  conn: Conn;
  channel: number;
  tag: string;
}
interface Queue {
  waiting: Delivery[];
  consumers: Consumer[];
  next: number;
}
interface Conn {
  socket: Socket;
  open: boolean;
  /** channel -> deliveryTag -> (queue, delivery) */
  unacked: Map<number, Map<number, { queue: string; delivery: Delivery }>>;
  nextTag: Map<number, number>;
  confirms: Set<number>;
  /** Per channel with confirms on: the sequence number of the last publish (what its ack names). */
  published: Map<number, number>;
  /** Per channel: a basic.publish whose header and body frames are still coming. */
  publishing: Map<
    number,
    {
      exchange: string;
      routingKey: string;
      size?: number;
      properties?: Record<string, unknown>;
      chunks: Buffer[];
      got: number;
    }
  >;
  heartbeat?: NodeJS.Timeout;
  /** When a frame last came from the client (every frame counts as a heartbeat). */
  heardAt: number;
  /** Closes a client silent for two heartbeat intervals (AMQP 0-9-1 §4.2.7). */
  silence?: NodeJS.Timeout;
}

/** A field's value as text: the codec gives strings, and Buffers for some string types. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
}

/** The queue of a group's status events, and of a parent topic's messages. */
const statusQueue = (group: string) => `STATUS/${group}`;
const topicQueue = (parent: string) => `TOPIC/${parent}`;
const MAX_WAITING = 100_000;

export async function startCloudSdk(options: {
  keys: Map<string, string>;
  instanceIds: readonly string[];
  port?: number;
  host?: string;
  /**
   * What a Cloud SDK `sendMessage` publishes (exchange = routing key = the full MQTT topic): the
   * service forwards it to the MQTT clients subscribed to the topic. Resolves when delivered to the
   * broker (then the publisher confirm is an ack), rejects for a nack.
   */
  forward?: (topic: string, payload: Buffer) => Promise<void>;
  /** The heartbeat the endpoint asks for, seconds (60, as the service; a test may ask for less). */
  heartbeatSeconds?: number;
}): Promise<RunningCloudSdk> {
  const host = options.host ?? '127.0.0.1';
  const queues = new Map<string, Queue>();
  const conns = new Set<Conn>();
  const loginLog: CloudSdkLogin[] = [];
  let faults: CloudSdkFaults = {};
  let held: StatusNotice[] = [];
  let releaseTimer: NodeJS.Timeout | undefined;

  const queueOf = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = { waiting: [], consumers: [], next: 0 }));
    return q;
  };

  function send(conn: Conn, data: Buffer): void {
    if (conn.open && !conn.socket.destroyed) conn.socket.write(data);
  }
  const method = (conn: Conn, channel: number, name: string, fields: Record<string, unknown>) =>
    send(conn, defs.encodeMethod(M[name], channel, fields));

  /** Gives waiting deliveries of a queue to its consumers, in turn. */
  function pump(name: string): void {
    const q = queues.get(name);
    if (!q) return;
    while (q.waiting.length > 0 && q.consumers.length > 0) {
      const consumer = q.consumers[q.next++ % q.consumers.length];
      const delivery = q.waiting.shift()!;
      const tag = consumer.conn.nextTag.get(consumer.channel) ?? 1;
      consumer.conn.nextTag.set(consumer.channel, tag + 1);
      let unacked = consumer.conn.unacked.get(consumer.channel);
      if (!unacked)
        consumer.conn.unacked.set(
          consumer.channel,
          (unacked = new Map<number, { queue: string; delivery: Delivery }>()),
        );
      unacked.set(tag, { queue: name, delivery });
      method(consumer.conn, consumer.channel, 'BasicDeliver', {
        consumerTag: consumer.tag,
        deliveryTag: tag,
        redelivered: delivery.redelivered,
        exchange: delivery.exchange,
        routingKey: delivery.routingKey,
      });
      send(
        consumer.conn,
        defs.encodeProperties(M.BasicProperties, consumer.channel, delivery.body.length, delivery.properties),
      );
      for (let at = 0; at < delivery.body.length || at === 0; at += FRAME_MAX - 8) {
        send(consumer.conn, frames.makeBodyFrame(consumer.channel, delivery.body.subarray(at, at + FRAME_MAX - 8)));
        if (delivery.body.length === 0) break;
      }
    }
  }

  function enqueue(name: string, delivery: Delivery, first = false): void {
    const q = queueOf(name);
    if (first) q.waiting.unshift(delivery);
    else q.waiting.push(delivery);
    if (q.waiting.length > MAX_WAITING) q.waiting.shift(); // bounded retention while nobody consumes
    pump(name);
  }

  /** A channel or connection went away: what it had not acknowledged goes back, first in line. */
  function releaseChannel(conn: Conn, channel: number): void {
    for (const q of queues.values())
      q.consumers = q.consumers.filter((c) => !(c.conn === conn && c.channel === channel));
    const unacked = conn.unacked.get(channel);
    conn.unacked.delete(channel);
    conn.confirms.delete(channel);
    conn.published.delete(channel);
    conn.publishing.delete(channel);
    if (!unacked) return;
    const back = [...unacked.values()].reverse();
    for (const { queue, delivery } of back) enqueue(queue, { ...delivery, redelivered: true }, true);
  }

  function deliverStatus(notice: StatusNotice): void {
    const at = notice.clientId.indexOf('@@@');
    if (at <= 0) return;
    const body = Buffer.from(JSON.stringify(notice), 'utf8');
    const delivery = { body, properties: {}, exchange: '', routingKey: 'STATUS', redelivered: false };
    const copies = faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) enqueue(statusQueue(notice.clientId.slice(0, at)), { ...delivery });
  }

  function publishStatus(notice: StatusNotice): void {
    const { delayMs = 0, reorderWindowMs = 0 } = faults;
    if (reorderWindowMs > 0) {
      held.push(notice);
      releaseTimer ??= setTimeout(() => {
        releaseTimer = undefined;
        const out = held.reverse();
        held = [];
        for (const n of out) deliverStatus(n);
      }, reorderWindowMs + delayMs).unref();
      return;
    }
    if (delayMs > 0) setTimeout(() => deliverStatus(notice), delayMs).unref();
    else deliverStatus(notice);
  }

  /** A publish whose body is complete: forwarded to the MQTT clients, then confirmed if asked. */
  function published(
    conn: Conn,
    channel: number,
    publish: { exchange: string; routingKey: string; chunks: Buffer[] },
  ): void {
    const confirming = conn.confirms.has(channel);
    const seq = (conn.published.get(channel) ?? 0) + 1;
    if (confirming) conn.published.set(channel, seq);
    const topic = publish.routingKey || publish.exchange;
    const body = Buffer.concat(publish.chunks);
    const delivered = topic && options.forward ? options.forward(topic, body) : Promise.reject(new Error('no route'));
    delivered.then(
      () => confirming && method(conn, channel, 'BasicAck', { deliveryTag: seq, multiple: false }),
      () => confirming && method(conn, channel, 'BasicNack', { deliveryTag: seq, multiple: false, requeue: false }),
    );
  }

  /** The header and body frames of a basic.publish. */
  function onContent(
    conn: Conn,
    frameType: number,
    decoded: { channel: number; size?: number; fields?: Record<string, unknown>; content?: Buffer },
  ): void {
    const publish = conn.publishing.get(decoded.channel);
    if (!publish) return;
    if (frameType === 2) {
      publish.size = Number(decoded.size ?? 0);
      publish.properties = decoded.fields;
    } else if (decoded.content) {
      publish.chunks.push(decoded.content);
      publish.got += decoded.content.length;
    }
    if (publish.size !== undefined && publish.got >= publish.size) {
      conn.publishing.delete(decoded.channel);
      published(conn, decoded.channel, publish);
    }
  }

  function checkLogin(fields: Record<string, unknown>): CloudSdkLogin {
    const clientProperties = (fields.clientProperties ?? {}) as Record<string, unknown>;
    const entry: CloudSdkLogin = { at: Date.now(), ok: false, clientProperties: { ...clientProperties } };
    const response = Buffer.isBuffer(fields.response) ? fields.response : Buffer.from(text(fields.response), 'utf8');
    const [, username = '', password = ''] = response.toString('utf8').split('\0');
    const [zero, instanceId, accessKeyId] = Buffer.from(username, 'base64').toString('utf8').split(':');
    Object.assign(entry, { instanceId, accessKeyId });
    const signKey = clientProperties.signKey === undefined ? undefined : text(clientProperties.signKey);
    const secret = accessKeyId ? options.keys.get(accessKeyId) : undefined;
    if (faults.refuseLogin) entry.reason = 'refused on demand';
    else if (fields.mechanism !== 'PLAIN') entry.reason = `mechanism ${String(fields.mechanism)}`;
    else if (zero !== '0' || !instanceId || !accessKeyId)
      entry.reason = 'user name is not Base64 of 0:<instanceId>:<AccessKeyId>';
    else if (!options.instanceIds.includes(instanceId)) entry.reason = `unknown instance ${instanceId}`;
    else if (!secret) entry.reason = 'unknown AccessKey';
    else if (!signKey || !/^\d+$/.test(signKey)) entry.reason = 'no signKey client property';
    else if (createHmac('sha1', secret).update(signKey).digest('base64') !== password)
      entry.reason = 'password does not match signKey';
    else entry.ok = true;
    loginLog.push(entry);
    return entry;
  }

  function onMethod(
    conn: Conn,
    channel: number,
    id: number,
    fields: Record<string, unknown>,
    state: { authed: boolean },
  ): void {
    switch (id) {
      case M.ConnectionStartOk: {
        const login = checkLogin(fields);
        if (!login.ok) {
          method(conn, 0, 'ConnectionClose', {
            replyCode: 403,
            replyText: 'ACCESS_REFUSED - Login was refused',
            classId: 0,
            methodId: 0,
          });
          setTimeout(() => conn.socket.destroy(), 50).unref();
          return;
        }
        state.authed = true;
        return method(conn, 0, 'ConnectionTune', {
          channelMax: 2047,
          frameMax: FRAME_MAX,
          heartbeat: options.heartbeatSeconds ?? 60,
        });
      }
      case M.ConnectionTuneOk: {
        const seconds = Number(fields.heartbeat) || 0;
        if (seconds > 0) {
          conn.heartbeat = setInterval(() => send(conn, frames.HEARTBEAT_BUF), (seconds * 1000) / 2).unref();
          // A consumer that stops sending anything for two intervals is gone: its unacknowledged
          // events go back to the group's other consumers instead of waiting on an open socket.
          conn.silence = setInterval(
            () => {
              if (Date.now() - conn.heardAt > 2 * seconds * 1000) conn.socket.destroy();
            },
            (seconds * 1000) / 2,
          ).unref();
        }
        return;
      }
      case M.ConnectionOpen:
        if (!state.authed) return void conn.socket.destroy();
        if (fields.virtualHost !== 'MQTT' && fields.virtualHost !== '/MQTT') {
          method(conn, 0, 'ConnectionClose', {
            replyCode: 530,
            replyText: `NOT_ALLOWED - vhost ${String(fields.virtualHost)} not found`,
            classId: 10,
            methodId: 40,
          });
          return;
        }
        return method(conn, 0, 'ConnectionOpenOk', { knownHosts: '' });
      case M.ConnectionClose:
        method(conn, 0, 'ConnectionCloseOk', {});
        return void conn.socket.end();
      case M.ConnectionCloseOk:
        return void conn.socket.end();
      case M.ChannelOpen:
        return method(conn, channel, 'ChannelOpenOk', { channelId: Buffer.alloc(0) });
      case M.ChannelClose:
        releaseChannel(conn, channel);
        return method(conn, channel, 'ChannelCloseOk', {});
      case M.ConfirmSelect:
        conn.confirms.add(channel);
        if (!fields.nowait) method(conn, channel, 'ConfirmSelectOk', {});
        return;
      case M.BasicQos:
        return method(conn, channel, 'BasicQosOk', {});
      case M.BasicConsume: {
        const queue = text(fields.queue);
        const args = (fields.arguments ?? {}) as Record<string, unknown>;
        const name = queue === 'STATUS' ? statusQueue(text(args.GROUP_ID)) : topicQueue(queue);
        const tag = text(fields.consumerTag) || `amq.ctag-${randomBytes(8).toString('hex')}`;
        queueOf(name).consumers.push({ conn, channel, tag });
        if (!fields.nowait) method(conn, channel, 'BasicConsumeOk', { consumerTag: tag });
        return pump(name);
      }
      case M.BasicCancel: {
        for (const q of queues.values())
          q.consumers = q.consumers.filter(
            (c) => !(c.conn === conn && c.channel === channel && c.tag === fields.consumerTag),
          );
        if (!fields.nowait) method(conn, channel, 'BasicCancelOk', { consumerTag: fields.consumerTag });
        return;
      }
      case M.BasicAck:
      case M.BasicNack:
      case M.BasicReject: {
        const unacked = conn.unacked.get(channel);
        if (!unacked) return;
        const tag = Number(fields.deliveryTag);
        const tags = fields.multiple ? [...unacked.keys()].filter((t) => t <= tag) : [tag];
        const requeue = id !== M.BasicAck && fields.requeue !== false;
        for (const t of tags) {
          const entry = unacked.get(t);
          unacked.delete(t);
          if (entry && requeue) enqueue(entry.queue, { ...entry.delivery, redelivered: true }, true);
        }
        return;
      }
      case M.BasicPublish:
        // Its header and body frames follow (onContent).
        conn.publishing.set(channel, {
          exchange: text(fields.exchange),
          routingKey: text(fields.routingKey),
          chunks: [],
          got: 0,
        });
        return;
      default:
        return; // the rest: the subset the service speaks does not need them here
    }
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const conn: Conn = {
      socket,
      open: true,
      unacked: new Map(),
      nextTag: new Map(),
      confirms: new Set(),
      published: new Map(),
      publishing: new Map(),
      heardAt: Date.now(),
    };
    conns.add(conn);
    const state = { authed: false };
    let buffer: Buffer = Buffer.alloc(0);
    let headerSeen = false;
    socket.on('data', (chunk: Buffer) => {
      conn.heardAt = Date.now();
      buffer = Buffer.concat([buffer, chunk]);
      try {
        if (!headerSeen) {
          if (buffer.length < 8) return;
          if (!buffer.subarray(0, 8).equals(PROTOCOL_HEADER)) {
            socket.end(PROTOCOL_HEADER);
            return;
          }
          headerSeen = true;
          buffer = buffer.subarray(8);
          method(conn, 0, 'ConnectionStart', {
            versionMajor: 0,
            versionMinor: 9,
            serverProperties: {
              product: 'ApsaraMQ for MQTT emulator',
              capabilities: { consumer_cancel_notify: true, publisher_confirms: true },
            },
            mechanisms: Buffer.from('PLAIN'),
            locales: Buffer.from('en_US'),
          });
        }
        for (;;) {
          const frame = frames.parseFrame(buffer, FRAME_MAX);
          if (!frame) break;
          buffer = frame.rest;
          const decoded = frames.decodeFrame(frame);
          if (decoded.id !== undefined && decoded.fields && frame.type === 1)
            onMethod(conn, decoded.channel, decoded.id, decoded.fields, state);
          else if (frame.type === 2 || frame.type === 3) onContent(conn, frame.type, decoded);
        }
      } catch (error) {
        if (process.env.CLOUD_SDK_DEBUG) console.error('cloud-sdk emulator:', error);
        socket.destroy(); // a frame we cannot read: as a broker does, the connection ends
      }
    });
    const gone = () => {
      if (!conn.open) return;
      conn.open = false;
      clearInterval(conn.heartbeat);
      clearInterval(conn.silence);
      conns.delete(conn);
      sockets.delete(socket);
      for (const channel of [
        ...conn.unacked.keys(),
        ...[...queues.values()].flatMap((q) => q.consumers.filter((c) => c.conn === conn).map((c) => c.channel)),
      ])
        releaseChannel(conn, channel);
    };
    socket.on('close', gone);
    socket.on('error', gone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host,
    port,
    publishStatus,
    publishStatusBody: (groupId, body) =>
      enqueue(statusQueue(groupId), {
        body: Buffer.from(body),
        properties: {},
        exchange: '',
        routingKey: 'STATUS',
        redelivered: false,
      }),
    publishDeviceMessage: ({ topic, payload, clientId, userProperties }) => {
      const [parent, ...rest] = topic.split('/');
      const headers: Record<string, unknown> = {
        mqttParentTopic: parent,
        mqttSecondTopic: rest.length ? `/${rest.join('/')}` : '',
        clientId,
        bornTime: String(Date.now()),
        ...(userProperties?.length ? { mqtt5UserProperty: JSON.stringify(userProperties) } : {}),
      };
      enqueue(topicQueue(parent), {
        body: payload,
        properties: { headers, messageId: randomBytes(16).toString('hex').toUpperCase() },
        exchange: parent,
        routingKey: topic,
        redelivered: false,
      });
    },
    setFaults: (f) => void (faults = { ...f }),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    logins: () => loginLog,
    backlog: () =>
      Object.fromEntries(
        [...queues].map(([name, q]) => [
          name,
          {
            waiting: q.waiting.length,
            unacked: [...conns].reduce(
              (n, c) =>
                n +
                [...c.unacked.values()].reduce((m, u) => m + [...u.values()].filter((e) => e.queue === name).length, 0),
              0,
            ),
          },
        ]),
      ),
    reset: () => {
      faults = {};
      held = [];
      loginLog.length = 0;
      for (const q of queues.values()) q.waiting.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        clearTimeout(releaseTimer);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
