#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the emulator (OnsMqtt API + MQTT broker), a handful of simulated devices that
 * really connect and drop off, and a real Node-RED with this package installed and a demo flow
 * deployed. Everything on 127.0.0.1; Ctrl-C stops it all.
 */
const { startEmulator, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_INSTANCE_ID } = require('../dist/emulator');
const { mqttConnectOptions } = require('../dist/lib');
const net = require('node:net');
const { startNodeRed, packTarball } = require('./lib/node-red-host');
const { DEMO_PORTS } = require('./lib/emulator-config');
const { startSimulatedDevices, startGateway } = require('./lib/simulated-devices');
const { demoFlow } = require('./lib/demo-flow');

const CLIENT_IDS = [
  'GID_demo@@@pump-01',
  'GID_demo@@@pump-02',
  'GID_demo@@@meter-17',
  'GID_demo@@@gateway-3',
  'GID_demo@@@sensor-404',
];
/** A device with a loose contact: it drops and returns every few seconds, and the watch holds it back as flapping. */
const FLAKY_ID = 'GID_demo@@@valve-09';
/** Twelve devices behind one gateway that fails now and then: the watch node makes one incident of it. */
const LINE_IDS = Array.from({ length: 12 }, (_, i) => `GID_demo@@@line-${String(i + 1).padStart(2, '0')}`);
/** How long the gateway stays up and down (the demo test shortens them). */
const GATEWAY_UP_MS = Number(process.env.DEMO_GATEWAY_UP_MS) || 75_000;
const GATEWAY_DOWN_MS = Number(process.env.DEMO_GATEWAY_DOWN_MS) || 30_000;
/** How many times the gateway fails (default: for as long as the demo runs). */
const GATEWAY_FAILURES = Number(process.env.DEMO_GATEWAY_FAILURES) || Infinity;
const say = (line) => process.stdout.write(`${line}\n`);

/**
 * The demo's port for one service: fixed (the examples and the docs name them), moved only by its
 * environment variable. A port in use stops the demo with what to do, instead of a silent move
 * that would leave the examples pointing at nothing.
 */
async function demoPort(name) {
  const { env, port: fixed, what } = DEMO_PORTS[name];
  const given = process.env[env];
  const port = given === undefined || given === '' ? fixed : Number(given);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${env}=${given} is not a port number (0 to 65535).`);
  if (port === 0) return 0;
  const free = await new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new Error(
      `port ${port} (${what}) is in use on 127.0.0.1. Stop what uses it (another demo or emulator?), or start the demo on another port: ${env}=${port + 1} npm start` +
        (name === 'api'
          ? ' (the examples expect http://127.0.0.1:8090: change the Endpoint of their config node to match).'
          : '.'),
    );
  }
  return port;
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  say('Starting the Alibaba Cloud MQTT demo ...');
  // The broker checks logins as the service does; the simulated devices log in with the demo
  // AccessKey (Signature mode).
  // The Cloud SDK endpoint (push presence) on 5672 when free, as the service's own.
  const ports = {
    api: await demoPort('api'),
    mqtt: await demoPort('mqtt'),
    amqp: await demoPort('amqp'),
    nodeRed: await demoPort('nodeRed'),
  };
  const emulator = await startEmulator({ port: ports.api, mqttPort: ports.mqtt, mqttAuth: true, amqpPort: ports.amqp });
  /** When each simulated device last changed, so that a PUSH line can say how long after it arrived. */
  const changedAt = new Map();
  const deviceEvent = (id, what) => {
    changedAt.set(id, Date.now());
    say(`  [device] ${id} ${what}`);
  };
  // Every simulated device logs in with the demo AccessKey (Signature mode).
  const login = (clientId) => {
    const { username, password } = mqttConnectOptions({
      mode: 'Signature',
      clientId,
      instanceId: DEMO_INSTANCE_ID,
      accessKeyId: DEMO_ACCESS_KEY_ID,
      accessKeySecret: DEMO_ACCESS_KEY_SECRET,
    });
    return { username, password };
  };
  const devices = startSimulatedDevices({
    mqttUrl: emulator.mqttUrl,
    clientIds: CLIENT_IDS,
    login,
    onEvent: deviceEvent,
  });
  const flaky = startSimulatedDevices({
    mqttUrl: emulator.mqttUrl,
    clientIds: [FLAKY_ID],
    login,
    onlineMs: [4_000, 7_000],
    offlineMs: [4_000, 7_000],
    lastNeverConnects: false,
    onEvent: deviceEvent,
  });
  const gateway = startGateway({
    mqttUrl: emulator.mqttUrl,
    clientIds: LINE_IDS,
    login,
    upMs: GATEWAY_UP_MS,
    downMs: GATEWAY_DOWN_MS,
    failures: GATEWAY_FAILURES,
    onEvent: (id, what) => say(`  [device] ${id} ${what}`),
  });
  say('  packing this package and installing it into a fresh Node-RED user directory ...');
  const tarball = packTarball();
  // Node-RED's own start-up notices about features the demo turns off are not worth showing.
  const NOISE = /Projects disabled|Encrypted credentials not found/;
  // The demo flow writes its tickets, incidents and push events with node.log: shown here, not in the sidebar twice.
  const showLog = (line) => {
    if (
      !(verbose || /\[(error|warn)\]/.test(line) || /\] (TICKET|INCIDENT|PUSH|FLAPPING|BUDGET) /.test(line)) ||
      NOISE.test(line)
    )
      return;
    const pushed = /PUSH (\S+) (went offline|came online)/.exec(line);
    const at = pushed && changedAt.get(pushed[1]);
    say(
      `  [node-red] ${line}${at ? ` (${Date.now() - at} ms after the device ${pushed[2] === 'went offline' ? 'disconnected' : 'connected'})` : ''}`,
    );
  };
  const nodeRed = await startNodeRed({ tarball, port: ports.nodeRed, onLog: showLog });
  await nodeRed.deploy(
    demoFlow({
      endpoint: emulator.endpoint,
      accessKeyId: DEMO_ACCESS_KEY_ID,
      accessKeySecret: DEMO_ACCESS_KEY_SECRET,
      instanceId: DEMO_INSTANCE_ID,
      clientIds: CLIENT_IDS,
      watchIds: [...CLIENT_IDS, FLAKY_ID, ...LINE_IDS],
      pushEndpoint: emulator.cloudSdk ? `amqp://127.0.0.1:${emulator.cloudSdk.port}` : undefined,
    }),
  );

  say('');
  say(
    'Alibaba Cloud MQTT demo is running (everything on 127.0.0.1; the ports move with DEMO_API_PORT, DEMO_MQTT_PORT,',
  );
  say('DEMO_AMQP_PORT and DEMO_NODE_RED_PORT; docs/emulator.md has all of this):');
  say(
    `  Node-RED editor   ${nodeRed.url}   (Node-RED ${nodeRed.version}; open the debug sidebar; Import -> Examples reuses`,
  );
  say('                    the "Local emulator" account of this flow: keep the existing one when Node-RED asks)');
  say(`  OnsMqtt API       ${emulator.endpoint}   (the Endpoint of the account in Node-RED, Custom Endpoint in n8n)`);
  say(`  Ticket inbox      ${emulator.adminUrl}/inbox   (where the example n8n workflows post their tickets)`);
  say(`  MQTT broker       ${emulator.mqttUrl}   (logins checked: connect your own client as GID_x@@@anything with`);
  say(
    `                    user name Signature|${DEMO_ACCESS_KEY_ID}|${DEMO_INSTANCE_ID} and password Base64(HMAC-SHA1(secret, Client ID)),`,
  );
  say('                    or provision it with the "mqtt credential" node; the push watch shows it coming online)');
  if (emulator.cloudSdk) {
    say(
      `  Cloud SDK (push)  amqp://127.0.0.1:${emulator.cloudSdk.port}   (status notifications: the push watch hears every device of GID_demo`,
    );
    say(
      '                    and GID_x; PUSH lines say how many ms after the device changed they arrived, TICKET lines are the polled watch)',
    );
  }
  say(`  Instance ID       ${DEMO_INSTANCE_ID}`);
  say(`  AccessKey ID      ${DEMO_ACCESS_KEY_ID}`);
  say(`  AccessKey Secret  ${DEMO_ACCESS_KEY_SECRET}   (a public demo value, valid only for this emulator)`);
  say(`  Devices           ${CLIENT_IDS.join(', ')} (the last one never connects)`);
  say(
    `                    and ${LINE_IDS.length} behind one gateway (line-01 .. line-12) that fails every ${Math.round((GATEWAY_UP_MS + GATEWAY_DOWN_MS) / 1000)} s:`,
  );
  say("                    the watch node opens ONE incident for them, with each device's reason, and resolves it");
  say(
    `                    and ${FLAKY_ID}, a loose contact: FLAPPING lines, one when the watch holds it back, one when it settles`,
  );
  say('  Tickets           TICKET lines: opened once when a device goes offline, TICKET CLOSED once when it is back');
  say(
    `  Availability      ${nodeRed.url}/availability   (the fleet's last hour as a picture: uptime, outages, reasons; reload it)`,
  );
  say('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping ...');
    devices.stop();
    flaky.stop();
    gateway.stop();
    await nodeRed.stop();
    nodeRed.cleanup();
    await emulator.stop();
    say('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`The demo could not start: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});
