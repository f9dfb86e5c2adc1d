#!/usr/bin/env node
/**
 * `npm run emulator`: start the OnsMqtt emulator and print how to use it.
 * Flags: --port N --mqtt-port N --latency MS --jitter MS --throttle QPS (per API)
 *        --error CODE:RATE (repeatable) --html-rate R --reset-rate R --hang-rate R --online ID (repeatable)
 *        --access-key ID:SECRET (repeatable) --mqtt-auth (check MQTT logins) --stop-with-stdin
 *        --amqp-port N (the Cloud SDK endpoint: status notifications, device messages, sendMessage;
 *        default 5672, 0 for any free port) --no-amqp (none)
 */
import { parseArgs } from 'node:util';
import { startEmulator, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from './index';
import type { FaultConfig } from './faults';

const OPTIONS = {
  port: { type: 'string' },
  'mqtt-port': { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  throttle: { type: 'string' },
  error: { type: 'string', multiple: true },
  'html-rate': { type: 'string' },
  'reset-rate': { type: 'string' },
  'hang-rate': { type: 'string' },
  online: { type: 'string', multiple: true },
  'access-key': { type: 'string', multiple: true },
  'mqtt-auth': { type: 'boolean' },
  'amqp-port': { type: 'string' },
  'no-amqp': { type: 'boolean' },
  // Started by a test or a benchmark with a pipe on stdin: stop when that parent goes away.
  'stop-with-stdin': { type: 'boolean' },
} as const;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number of 0 or more, not "${value}".`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  const faults: FaultConfig = {
    latencyMs: number('latency', values.latency),
    jitterMs: number('jitter', values.jitter),
    htmlErrorRate: number('html-rate', values['html-rate']),
    resetRate: number('reset-rate', values['reset-rate']),
    hangRate: number('hang-rate', values['hang-rate']),
    errors: (values.error ?? []).map((spec) => {
      const [code, rate] = spec.split(':');
      return { code, rate: rate === undefined ? 1 : number('error', rate) };
    }),
  };
  const throttle = number('throttle', values.throttle);
  if (throttle)
    faults.throttleQps = {
      QuerySessionByClientId: throttle,
      BatchQuerySessionByClientIds: throttle,
      QueryMqttTraceDevice: throttle,
    };
  const extraKeys = (values['access-key'] ?? []).map((spec) => {
    const colon = spec.indexOf(':');
    if (colon < 1) throw new Error(`--access-key takes ID:SECRET, not "${spec}".`);
    return { accessKeyId: spec.slice(0, colon), accessKeySecret: spec.slice(colon + 1) };
  });
  const accessKeys = [{ accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET }, ...extraKeys];
  const emulator = await startEmulator({
    port: number('port', values.port) ?? 8090,
    mqttPort: number('mqtt-port', values['mqtt-port']) ?? 1883,
    faults,
    onlineDevices: values.online,
    mqttAuth: values['mqtt-auth'] === true,
    accessKeys,
    amqpPort: values['no-amqp'] ? false : (number('amqp-port', values['amqp-port']) ?? 5672),
  });
  const mqttLogin = values['mqtt-auth']
    ? '(logins are checked: a device credential, a token or a signature; see docs/provisioning.md)'
    : '(connect with any Client ID such as GID_demo@@@device1)';
  process.stdout.write(
    [
      'Alibaba Cloud MQTT (OnsMqtt 2020-04-20) emulator is running on 127.0.0.1',
      `  API endpoint      ${emulator.endpoint}`,
      `  MQTT broker       ${emulator.mqttUrl}   ${mqttLogin}`,
      ...(emulator.cloudSdk
        ? [
            `  Cloud SDK (AMQP)  amqp://127.0.0.1:${emulator.cloudSdk.port}   (status notifications and device messages; docs/push.md)`,
          ]
        : []),
      `  Instance ID       ${emulator.instanceId}`,
      `  AccessKey ID      ${DEMO_ACCESS_KEY_ID}`,
      `  AccessKey Secret  ${emulator.accessKeySecret}   (a public demo value, valid only here)`,
      `  Admin API         ${emulator.adminUrl}/devices  /faults  /log  /stats  /sts  /reset`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (values['stop-with-stdin']) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ? `\nFlags: ${Object.keys(OPTIONS)
        .map((f) => `--${f}`)
        .join(' ')}`
    : '';
  process.stderr.write(`${message}${usage}\n`);
  process.exit(1);
});
