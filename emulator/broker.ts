/**
 * A real MQTT broker (aedes on TCP, 127.0.0.1) whose connections drive the device registry:
 * connecting with Client ID X makes X online; DISCONNECT, a closed socket or a keep-alive timeout
 * makes it offline, each recorded with the reason the service would give.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DeviceRegistry, type ActionInfo } from './devices';
import type { RunningCloudSdk } from './cloud-sdk';
import { newMsgId, type MessageLog } from './messages';
import type { LoginResult } from './provisioning';

// aedes 0.51 is CommonJS; its types are loose enough that we describe the little we use.
interface AedesClient {
  id: string;
  _disconnected?: boolean;
}
interface AedesBroker {
  handle: (socket: Socket) => void;
  authenticate: (
    client: AedesClient,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: (Error & { returnCode?: number }) | null, ok: boolean) => void,
  ) => void;
  publish(
    packet: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean; cmd: 'publish'; dup: boolean },
    done: (err?: Error) => void,
  ): void;
  on(event: 'client' | 'clientDisconnect' | 'keepaliveTimeout', cb: (client: AedesClient) => void): void;
  on(
    event: 'publish',
    cb: (packet: { topic: string; payload: Buffer | string }, client: AedesClient | null) => void,
  ): void;
  /** Called once per subscriber a message goes to; what it returns is delivered. */
  authorizeForward: (client: AedesClient, packet: { topic: string; payload: Buffer | string }) => unknown;
  on(event: 'clientError' | 'connectionError', cb: (client: AedesClient, err: Error) => void): void;
  preConnect: (
    client: AedesClient & { conn?: unknown },
    packet: { clientId?: string },
    done: (err: Error | null, ok: boolean) => void,
  ) => void;
  clients: Record<string, AedesClient>;
  close(cb: () => void): void;
}

export interface RunningBroker {
  url: string;
  port: number;
  /** Publishes to subscribers (the API's SendMessage), traced under `msgId`. */
  publish(topic: string, payload: string, msgId: string): void;
  /** Publishes bytes (a Cloud SDK sendMessage); resolves once the broker has taken it. */
  publishBytes(topic: string, payload: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Checks a CONNECT's user name and password; undefined: everyone may connect. */
export type LoginCheck = (
  clientId: string,
  username: string | undefined,
  password: Buffer | undefined,
) => LoginResult | undefined;

export async function startBroker(
  devices: DeviceRegistry,
  port = 0,
  host = '127.0.0.1',
  login?: LoginCheck,
  cloudSdk?: Pick<RunningCloudSdk, 'publishDeviceMessage'>,
  messages?: MessageLog,
): Promise<RunningBroker> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aedesFactory = require('aedes') as (opts?: object) => AedesBroker;
  const broker = aedesFactory();
  const current = new Map<string, AedesClient>();
  const reasons = new WeakMap<AedesClient, ActionInfo>();
  const conflicts = new Set<string>();
  // A message's MsgId, by its payload: the one Buffer that aedes hands to every subscriber's
  // delivery and to the publish event (a delivery comes before the event).
  const msgIds = new WeakMap<object, string>();
  const msgIdOf = (payload: Buffer | string): string => {
    if (typeof payload === 'string') return newMsgId();
    let id = msgIds.get(payload);
    if (!id) msgIds.set(payload, (id = newMsgId()));
    return id;
  };
  const fromApi = new WeakSet<object>();

  broker.preConnect = (_client, packet, done) => {
    if (packet.clientId && broker.clients[packet.clientId]) conflicts.add(packet.clientId);
    done(null, true);
  };
  broker.authenticate = (client, username, password, done) => {
    const result = login?.(client.id, username, password);
    if (!result || result.ok) return done(null, true);
    // Refused at CONNECT with the MQTT 3.1.1 return code; the device trace shows the attempt.
    devices.refused(client.id, 'not authorized');
    // A refused login takes nothing over: the connection already there keeps its own reason.
    conflicts.delete(client.id);
    const error = Object.assign(new Error(`login refused: ${result.reason}`), { returnCode: result.returnCode });
    done(error, false);
  };
  broker.on('client', (client) => {
    current.set(client.id, client);
    devices.connect(client.id);
  });
  // What a device publishes also goes to the Cloud SDK's consumers of its parent topic (aedes
  // speaks MQTT 3.1.1: no user properties to pass on). The broker's own messages have no client.
  broker.authorizeForward = (client, packet) => {
    if (!packet.topic.startsWith('$SYS'))
      messages?.record({ timeMs: Date.now(), msgId: msgIdOf(packet.payload), clientId: client.id, action: 'sub' });
    return packet;
  };
  broker.on('publish', (packet, client) => {
    if (packet.topic.startsWith('$SYS')) return;
    if (client || (typeof packet.payload !== 'string' && fromApi.has(packet.payload))) {
      messages?.record({
        timeMs: Date.now(),
        msgId: msgIdOf(packet.payload),
        clientId: client?.id ?? '',
        action: client ? 'pub_mqtt' : 'pub_mq',
      });
    }
    if (!client || !cloudSdk) return;
    cloudSdk.publishDeviceMessage({
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      clientId: client.id,
    });
  });
  broker.on('keepaliveTimeout', (client) => reasons.set(client, 'no heart'));
  broker.on('clientError', (client) => {
    if (!reasons.has(client)) reasons.set(client, 'Socket IOException');
  });
  broker.on('clientDisconnect', (client) => {
    // A takeover closes the old connection of the same id: only the current one counts.
    if (current.get(client.id) !== client) return;
    current.delete(client.id);
    if (client._disconnected) return devices.disconnect(client.id, 'disconnect', 'disconnected by client');
    if (conflicts.delete(client.id)) return devices.disconnect(client.id, 'close', 'clientId conflict');
    devices.disconnect(client.id, 'close', reasons.get(client) ?? 'closed by client');
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${actualPort}`,
    port: actualPort,
    publish: (topic, payload, msgId) => {
      const bytes = Buffer.from(payload, 'utf8');
      msgIds.set(bytes, msgId);
      fromApi.add(bytes);
      broker.publish({ cmd: 'publish', topic, payload: bytes, qos: 1, retain: false, dup: false }, () => undefined);
    },
    publishBytes: (topic, payload) => {
      // A Cloud SDK message: traced as pub_mq, like the API's.
      fromApi.add(payload);
      return new Promise<void>((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
