#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the emulator (OnsMqtt API + MQTT broker), a handful of simulated devices that
 * really connect and drop off, and a real Node-RED with this package installed and a demo flow
 * deployed. Everything on 127.0.0.1; Ctrl-C stops it all.
 */
const { startEmulator, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_INSTANCE_ID } = require('../dist/emulator');
const { mqttConnectOptions } = require('../dist/lib');
const { startNodeRed, packTarball, freePort } = require('./lib/node-red-host');
const { startSimulatedDevices, startGateway } = require('./lib/simulated-devices');
const { demoFlow } = require('./lib/demo-flow');

const CLIENT_IDS = ['GID_demo@@@pump-01', 'GID_demo@@@pump-02', 'GID_demo@@@meter-17', 'GID_demo@@@gateway-3', 'GID_demo@@@sensor-404'];
/** Twelve devices behind one gateway that fails now and then: the watch node makes one incident of it. */
const LINE_IDS = Array.from({ length: 12 }, (_, i) => `GID_demo@@@line-${String(i + 1).padStart(2, '0')}`);
/** How long the gateway stays up and down (the demo test shortens them). */
const GATEWAY_UP_MS = Number(process.env.DEMO_GATEWAY_UP_MS) || 75_000;
const GATEWAY_DOWN_MS = Number(process.env.DEMO_GATEWAY_DOWN_MS) || 30_000;
/** How many times the gateway fails (default: for as long as the demo runs). */
const GATEWAY_FAILURES = Number(process.env.DEMO_GATEWAY_FAILURES) || Infinity;
const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const verbose = process.argv.includes('--verbose');
  say('Starting the Alibaba Cloud MQTT demo ...');
  // The broker checks logins as the service does; the simulated devices log in with the demo
  // AccessKey (Signature mode).
  // The Cloud SDK endpoint (push presence) on 5672 when free, as the service's own.
  const emulator = await startEmulator({ port: await freePort(8090), mqttPort: await freePort(1883), mqttAuth: true, amqpPort: await freePort(5672) });
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
  // The demo flow's tickets and incidents are written as warnings, so that they show here too.
  const showLog = (line) => {
    if (!(verbose || /\[(error|warn)\]/.test(line)) || NOISE.test(line)) return;
    const pushed = /PUSH (\S+) (went offline|came online)/.exec(line);
    const at = pushed && changedAt.get(pushed[1]);
    say(`  [node-red] ${line}${at ? ` (${Date.now() - at} ms after the device ${pushed[2] === 'went offline' ? 'disconnected' : 'connected'})` : ''}`);
  };
  const nodeRed = await startNodeRed({ tarball, port: Number(process.env.DEMO_NODE_RED_PORT) || 1880, onLog: showLog });
  await nodeRed.deploy(
    demoFlow({
      endpoint: emulator.endpoint,
      accessKeyId: DEMO_ACCESS_KEY_ID,
      accessKeySecret: DEMO_ACCESS_KEY_SECRET,
      instanceId: DEMO_INSTANCE_ID,
      clientIds: CLIENT_IDS,
      watchIds: [...CLIENT_IDS, ...LINE_IDS],
      pushEndpoint: emulator.cloudSdk ? `amqp://127.0.0.1:${emulator.cloudSdk.port}` : undefined,
    }),
  );

  say('');
  say('Alibaba Cloud MQTT demo is running (everything on 127.0.0.1):');
  say(`  Node-RED editor   ${nodeRed.url}   (Node-RED ${nodeRed.version}; open the debug sidebar)`);
  say(`  OnsMqtt API       ${emulator.endpoint}   (emulator; admin API ${emulator.adminUrl}/devices)`);
  say(`  MQTT broker       ${emulator.mqttUrl}   (logins checked: connect your own client as GID_x@@@y with`);
  say(`                    user name Signature|${DEMO_ACCESS_KEY_ID}|${DEMO_INSTANCE_ID} and password Base64(HMAC-SHA1(secret, Client ID)),`);
  say('                    or provision it with the "mqtt credential" node, and watch it turn online)');
  if (emulator.cloudSdk) {
    say(`  Cloud SDK (push)  amqp://127.0.0.1:${emulator.cloudSdk.port}   (status notifications: the "push watch" node; PUSH lines`);
    say('                    say how many ms after the device changed they arrived, TICKET lines are the polled watch)');
  }
  say(`  Instance ID       ${DEMO_INSTANCE_ID}`);
  say(`  AccessKey ID      ${DEMO_ACCESS_KEY_ID}`);
  say(`  AccessKey Secret  ${DEMO_ACCESS_KEY_SECRET}   (a public demo value, valid only for this emulator)`);
  say(`  Devices           ${CLIENT_IDS.join(', ')} (the last one never connects)`);
  say(
    `                    and ${LINE_IDS.length} behind one gateway (line-01 .. line-12) that fails every ${Math.round((GATEWAY_UP_MS + GATEWAY_DOWN_MS) / 1000)} s:`,
  );
  say("                    the watch node opens ONE incident for them, with each device's reason, and resolves it");
  say('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping ...');
    devices.stop();
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
