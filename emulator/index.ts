/**
 * A local stand-in for Alibaba Cloud ApsaraMQ for MQTT: the OnsMqtt 2020-04-20 API over HTTP
 * and a real MQTT broker whose connections decide who is online. For tests, the demo and users
 * without an Alibaba Cloud account. Binds 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { handleApi, readBody, type AccessKey, type ApiState, type LogEntry } from './api';
import { startCloudSdk, type RunningCloudSdk } from './cloud-sdk';
import { startBroker, type RunningBroker } from './broker';
import { MessageLog } from './messages';
import { DeviceRegistry } from './devices';
import { FaultInjector, type FaultConfig } from './faults';
import { Inbox, type InboxEntry } from './inbox';
import { StsAuthority, type StsCredential } from './sts';
import { ProvisioningStore } from './provisioning';
import { startMetadataService, type MetadataServiceOptions, type RunningMetadataService } from './metadata-service';
import { startStsService, type RunningSts, type StsRole } from './sts-service';

export type { FaultConfig, ErrorRule } from './faults';
export type { LogEntry, AccessKey } from './api';
export type { StsCredential } from './sts';
export type { InboxEntry } from './inbox';
export type { RunningSts, StsRole, StsLogEntry } from './sts-service';
export { TEST_CA_FILE } from './sts-service';
export type { MetadataServiceOptions, RunningMetadataService } from './metadata-service';
export { busiestSecond } from './request-log';

export const DEMO_ACCESS_KEY_ID = 'LTAI5tEmulatorDemoKey01';
export const DEMO_ACCESS_KEY_SECRET = 'EmulatorDemoSecretNotForProduction0';
export const DEMO_INSTANCE_ID = 'post-cn-emulator01';
export const ADMIN_PREFIX = '/__emulator';

export interface EmulatorOptions {
  /** API port, 0 for any free one (default 0). */
  port?: number;
  /** MQTT port, 0 for any free one; false for no broker (default 0). */
  mqttPort?: number | false;
  accessKeys?: AccessKey[];
  instanceIds?: string[];
  faults?: FaultConfig;
  /** Devices online from the start, without an MQTT connection. */
  onlineDevices?: string[];
  /** Request log entries kept (oldest dropped first). Default 200 000. */
  logLimit?: number;
  /** Serve HTTPS with this key and certificate (PEM), e.g. a self-signed one for TLS tests. */
  tls?: { key: string; cert: string };
  /** Start an STS stand-in (HTTPS, the emulator's test CA) with these roles. */
  sts?: { roles: StsRole[] };
  /** Start an ECS metadata stand-in (only inside a network namespace at 100.100.100.200:80 for the real address). */
  metadata?: MetadataServiceOptions;
  /**
   * The broker checks each CONNECT's user name and password in the three documented modes
   * (Signature, DeviceCredential, Token) and refuses a wrong one. Off by default (any login is
   * accepted); the demo turns it on.
   */
  mqttAuth?: boolean;
  /**
   * Accept connections to the API and STS only from these addresses (e.g. the one a forward proxy
   * connects from): a test then proves that requests went through the proxy, not direct.
   */
  acceptFrom?: string[];
  /**
   * Start the Cloud SDK endpoint (AMQP 0-9-1: status events and device messages) on this port, 0
   * for any free one; false or absent: none. The official Go SDK keeps the port in a 16-bit signed
   * integer: give it one below 32768.
   */
  amqpPort?: number | false;
  /** The heartbeat the Cloud SDK endpoint asks for, seconds (default 60, as the service). */
  amqpHeartbeatSeconds?: number;
}

export interface RunningEmulator {
  endpoint: string;
  mqttUrl: string | undefined;
  accessKeyId: string;
  accessKeySecret: string;
  instanceId: string;
  /** Admin API base URL (same port as the API). */
  adminUrl: string;
  /** The Cloud SDK endpoint (AMQP), when started with `amqpPort`. */
  cloudSdk: RunningCloudSdk | undefined;
  setDeviceOnline(clientId: string, online: boolean): void;
  isDeviceOnline(clientId: string): boolean;
  devices(): Array<{ clientId: string; online: boolean; since?: string }>;
  setFaults(faults: FaultConfig): void;
  /** Turn the broker's login check on or off (see EmulatorOptions.mqttAuth). */
  setMqttAuth(on: boolean): void;
  /** Shift the emulator's clock (to play a client whose clock is off). */
  setClockOffset(ms: number): void;
  issueStsToken(durationMs?: number): StsCredential;
  /** The STS stand-in, when started with `sts`. */
  sts: RunningSts | undefined;
  /** Temporary credentials issued from now on (STS, credentials URI, metadata) live this long; undefined: as asked. */
  setTokenLifetime(ms: number | undefined): void;
  /** Every temporary secret and security token issued so far (for "no secret anywhere" checks). */
  issuedSecrets(): readonly string[];
  /** The ECS metadata stand-in, when started with `metadata`. */
  metadata: RunningMetadataService | undefined;
  /** A credentials URI (GET: fresh temporary credentials as JSON), as a sidecar would serve. */
  credentialsUri: string;
  /** When the credentials URI was fetched (epoch ms each). */
  credentialsUriFetches(): readonly number[];
  /** What was posted to the inbox (the example workflows' tickets, incidents, summaries), oldest first. */
  inbox(): readonly InboxEntry[];
  requestLog(): readonly LogEntry[];
  clearLog(): void;
  stats(): ApiState['counters'] & { logged: number; hanging: number };
  reset(): void;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const devices = new DeviceRegistry();
  const faults = new FaultInjector();
  if (options.faults) faults.set(options.faults);
  const accessKeys = options.accessKeys ?? [
    { accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET },
  ];
  const instanceIds = options.instanceIds ?? [DEMO_INSTANCE_ID];
  const state: ApiState = {
    devices,
    faults,
    sts: new StsAuthority(),
    accessKeys: new Map(accessKeys.map((k) => [k.accessKeyId, k])),
    instances: new Set(instanceIds),
    log: [],
    logLimit: options.logLimit ?? 200_000,
    clockOffsetMs: 0,
    counters: { requests: 0, byAction: {}, byCode: {}, faults: {} },
    hanging: new Set(),
    nonces: new Map(),
    logSeq: 0,
    credentialsUriFetches: [],
    provisioning: new ProvisioningStore(),
    inbox: new Inbox(),
    messages: new MessageLog(),
  };
  let mqttAuth = options.mqttAuth === true;
  const login = (clientId: string, username: string | undefined, password: Buffer | undefined) =>
    mqttAuth
      ? state.provisioning.login(
          clientId,
          username,
          password,
          new Map([...state.accessKeys.values()].map((k) => [k.accessKeyId, k.accessKeySecret])),
          state.instances,
        )
      : undefined;
  for (const id of options.onlineDevices ?? []) devices.set(id, true);

  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // Arrival is stamped before the body is read: what the service counts against its limits.
    const arrivedAt = Date.now();
    void route(req, res, arrivedAt).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createServer(onRequest);
  server.on('connection', (socket) => {
    if (!accepted(socket.remoteAddress, options.acceptFrom)) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5000;

  const admin = adminHandler(state, () => handle);
  async function route(req: IncomingMessage, res: ServerResponse, arrivedAt: number): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Code: 'InvalidParameter', Message: 'Malformed request URL.' }));
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      res
        .writeHead(413, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Code: 'InvalidParameter', Message: 'Request body too large.' }));
      return;
    }
    if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) return admin(req, res, body, url);
    if (url.pathname !== '/') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Code: 'InvalidAction.NotFound', Message: 'OnsMqtt RPC requests go to "/".' }));
      return;
    }
    await handleApi(state, req, res, body, url, arrivedAt);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let broker: RunningBroker | undefined;
  let cloudSdk: RunningCloudSdk | undefined;
  try {
    if (options.amqpPort !== undefined && options.amqpPort !== false) {
      const sdk = (cloudSdk = await startCloudSdk({
        keys: new Map(accessKeys.map((k) => [k.accessKeyId, k.accessKeySecret])),
        instanceIds,
        port: options.amqpPort,
        heartbeatSeconds: options.amqpHeartbeatSeconds,
        // A Cloud SDK sendMessage goes to the MQTT clients subscribed to its topic (started below).
        forward: (topic, payload) =>
          broker ? broker.publishBytes(topic, payload) : Promise.reject(new Error('no MQTT broker')),
      }));
      // A connection that came up gives `connect`; an MQTT DISCONNECT gives `disconnect` and then
      // `tcpclean` (the connection closes after it); any other end gives `tcpclean` alone. The
      // channel id is the connection trace's.
      devices.onSession = (e) => {
        const notice = { clientId: e.clientId, channelId: e.channelId, time: e.timeMs, clientIp: '127.0.0.1' };
        if (e.action === 'connect') return sdk.publishStatus({ ...notice, eventType: 'connect' });
        if (e.action === 'disconnect') sdk.publishStatus({ ...notice, eventType: 'disconnect' });
        sdk.publishStatus({ ...notice, eventType: 'tcpclean' });
      };
    }
    if (options.mqttPort !== false)
      broker = await startBroker(devices, options.mqttPort ?? 0, '127.0.0.1', login, cloudSdk, state.messages);
    if (broker) {
      const running = broker;
      state.publish = (topic, payload, msgId) => running.publish(topic, payload, msgId);
    }
  } catch (error) {
    server.close();
    await cloudSdk?.stop();
    throw error;
  }
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clock = () => Date.now() + state.clockOffsetMs;
  let sts: RunningSts | undefined;
  let metadata: RunningMetadataService | undefined;
  try {
    if (options.sts)
      sts = await startStsService(
        { ...options.sts, acceptFrom: options.acceptFrom },
        state.sts,
        state.accessKeys,
        clock,
      );
    if (options.metadata) metadata = await startMetadataService(options.metadata, state.sts, clock);
  } catch (error) {
    server.close();
    await broker?.stop();
    await sts?.stop();
    throw error;
  }

  const handle: RunningEmulator = {
    endpoint,
    mqttUrl: broker?.url,
    accessKeyId: accessKeys[0].accessKeyId,
    accessKeySecret: accessKeys[0].accessKeySecret,
    instanceId: instanceIds[0],
    adminUrl: `${endpoint}${ADMIN_PREFIX}`,
    cloudSdk,
    setDeviceOnline: (clientId, online) => devices.set(clientId, online),
    isDeviceOnline: (clientId) => devices.isOnline(clientId),
    devices: () => devices.list(),
    setFaults: (f) => faults.set(f),
    setClockOffset: (ms) => (state.clockOffsetMs = ms),
    setMqttAuth: (on) => void (mqttAuth = on),
    issueStsToken: (durationMs = 3600_000) => state.sts.issue(durationMs),
    sts,
    metadata,
    setTokenLifetime: (ms) => void (state.sts.lifetimeMs = ms),
    issuedSecrets: () => state.sts.issuedSecrets,
    credentialsUri: `${endpoint}${ADMIN_PREFIX}/credentials`,
    credentialsUriFetches: () => state.credentialsUriFetches,
    inbox: () => state.inbox.list(),
    requestLog: () => state.log,
    clearLog: () => (state.log.length = 0),
    stats: () => ({ ...state.counters, logged: state.log.length, hanging: state.hanging.size }),
    reset: () => {
      devices.reset();
      faults.set({});
      state.log.length = 0;
      state.clockOffsetMs = 0;
      state.counters = { requests: 0, byAction: {}, byCode: {}, faults: {} };
      state.nonces.clear();
      state.sts.lifetimeMs = undefined;
      state.credentialsUriFetches.length = 0;
      state.provisioning.clear();
      state.inbox.clear();
      mqttAuth = options.mqttAuth === true;
      cloudSdk?.reset();
    },
    stop: async () => {
      await cloudSdk?.stop();
      for (const res of state.hanging) res.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await broker?.stop();
      await sts?.stop();
      await metadata?.stop();
    },
  };
  return handle;
}

/** JSON admin API under /__emulator/: devices, faults, log, stats, STS tokens, reset. */
function adminHandler(state: ApiState, emulator: () => RunningEmulator) {
  return (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): void => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    // While `npm start` runs, any web page the user opens could post to 127.0.0.1: a browser marks
    // such a request with its Origin, and a form can only send text/plain or form types. So an
    // Origin other than the emulator's own is refused, and so is a body that is not JSON by type.
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined && (host === undefined || (origin !== `http://${host}` && origin !== `https://${host}`))) {
      return send(403, { error: 'The admin API refuses cross-origin requests (Origin is not the emulator itself).' });
    }
    // A picture posted to the inbox (an availability report) is kept as text: image/svg+xml is not a
    // type a form can send either, so it needs no more care than JSON.
    const svg = /^image\/svg\+xml\b/i.test(req.headers['content-type'] ?? '');
    if (body.length > 0 && !svg && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return send(415, {
        error: 'Send the body as JSON with "content-type: application/json" (or a picture as image/svg+xml).',
      });
    }
    let input: Record<string, unknown> = {};
    if (svg) input = { contentType: 'image/svg+xml', bytes: body.length, svg: body.toString('utf8') };
    else if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { error: 'The body must be JSON.' });
      }
    }
    const path = url.pathname.slice(ADMIN_PREFIX.length);
    const method = req.method ?? 'GET';
    const posted = /^\/inbox\/(.+)$/.exec(path);
    if (posted && method === 'POST') {
      let where: string;
      try {
        where = decodeURIComponent(posted[1]);
      } catch {
        return send(400, { error: 'The inbox path is not valid percent-encoding.' });
      }
      const entry = state.inbox.add(where, input);
      return send(201, { id: entry.id, received: true });
    }
    const device = /^\/devices\/(.+)$/.exec(path);
    if (device && (method === 'PUT' || method === 'POST')) {
      if (typeof input.online !== 'boolean') return send(400, { error: 'Send {"online": true|false}.' });
      const clientId = decodeURIComponent(device[1]);
      emulator().setDeviceOnline(clientId, input.online);
      return send(200, { clientId, online: state.devices.isOnline(clientId) });
    }
    switch (`${method} ${path}`) {
      case 'GET /inbox':
        return send(200, state.inbox.list());
      case 'DELETE /inbox':
        state.inbox.clear();
        return send(200, { cleared: true });
      case 'GET /devices':
        return send(200, state.devices.list());
      case 'GET /faults':
        return send(200, state.faults.get());
      case 'PUT /faults':
      case 'POST /faults':
        state.faults.set(input);
        return send(200, state.faults.get());
      case 'GET /log': {
        const since = Number(url.searchParams.get('since') ?? 0);
        return send(
          200,
          state.log.filter((e) => e.seq > since),
        );
      }
      case 'DELETE /log':
        state.log.length = 0;
        return send(200, { cleared: true });
      case 'GET /stats':
        return send(200, emulator().stats());
      case 'PUT /mqtt-auth':
      case 'POST /mqtt-auth':
        if (typeof input.on !== 'boolean') return send(400, { error: 'Send {"on": true|false}.' });
        emulator().setMqttAuth(input.on);
        return send(200, { on: input.on });
      case 'POST /clock':
        state.clockOffsetMs = Number(input.offsetMs) || 0;
        return send(200, { offsetMs: state.clockOffsetMs });
      case 'POST /sts': {
        const seconds = Number(input.durationSeconds ?? 3600);
        return send(200, state.sts.issue(Math.max(0, seconds) * 1000));
      }
      case 'GET /credentials': {
        // What a credentials-URI sidecar answers: the shape URICredentialsProvider reads.
        state.credentialsUriFetches.push(Date.now());
        const issued = state.sts.issue(state.sts.lifetimeMs ?? 3600_000, Date.now() + state.clockOffsetMs);
        return send(200, {
          Code: 'Success',
          AccessKeyId: issued.accessKeyId,
          AccessKeySecret: issued.accessKeySecret,
          SecurityToken: issued.securityToken,
          Expiration: issued.expiration,
        });
      }
      case 'POST /reset':
        emulator().reset();
        return send(200, { reset: true });
      default:
        return send(404, { error: `No admin route ${method} ${path}.` });
    }
  };
}

/** Whether a connection from `address` may be served (no list: everyone). */
export function accepted(address: string | undefined, acceptFrom: string[] | undefined): boolean {
  if (!acceptFrom) return true;
  const plain = (address ?? '').replace(/^::ffff:/, '');
  return acceptFrom.includes(plain);
}
