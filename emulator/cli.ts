#!/usr/bin/env node
/**
 * `npm run emulator`: start the OnsMqtt emulator and print how to use it.
 * Flags: --port N --mqtt-port N --access-key ID:SECRET (repeatable) --stop-with-stdin true --latency MS --jitter MS --throttle QPS (per API)
 *        --error CODE:RATE (repeatable) --html-rate R --reset-rate R --hang-rate R --online ID (repeatable)
 */
import { startEmulator, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from './index';
import type { FaultConfig } from './faults';

function parseArgs(argv: string[]) {
  const flags: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`Unknown argument "${argv[i]}". Flags: --port --mqtt-port --latency --jitter --throttle --error CODE:RATE --html-rate --reset-rate --hang-rate --online ID --access-key ID:SECRET --stop-with-stdin true`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value.`);
    (flags[m[1]] ??= []).push(value);
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseArgs(process.argv.slice(2));
  const num = (name: string) => (flags[name] ? Number(flags[name][0]) : undefined);
  const faults: FaultConfig = {
    latencyMs: num('latency'),
    jitterMs: num('jitter'),
    htmlErrorRate: num('html-rate'),
    resetRate: num('reset-rate'),
    hangRate: num('hang-rate'),
    errors: (flags.error ?? []).map((spec) => {
      const [code, rate] = spec.split(':');
      return { code, rate: rate === undefined ? 1 : Number(rate) };
    }),
  };
  const throttle = num('throttle');
  if (throttle) faults.throttleQps = { QuerySessionByClientId: throttle, BatchQuerySessionByClientIds: throttle, QueryMqttTraceDevice: throttle };
  // --access-key ID:SECRET (repeatable) adds keys beside the demo one.
  const extraKeys = (flags['access-key'] ?? []).map((spec) => {
    const colon = spec.indexOf(':');
    if (colon < 1) throw new Error(`--access-key takes ID:SECRET, not "${spec}".`);
    return { accessKeyId: spec.slice(0, colon), accessKeySecret: spec.slice(colon + 1) };
  });
  const accessKeys = [{ accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET }, ...extraKeys];
  const emulator = await startEmulator({ port: num('port') ?? 8090, mqttPort: num('mqtt-port') ?? 1883, faults, onlineDevices: flags.online, accessKeys });
  process.stdout.write(
    [
      'Alibaba Cloud MQTT (OnsMqtt 2020-04-20) emulator is running on 127.0.0.1',
      `  API endpoint      ${emulator.endpoint}`,
      `  MQTT broker       ${emulator.mqttUrl}   (connect with any Client ID such as GID_demo@@@device1)`,
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
  // Started by a test or a benchmark with a pipe on stdin: stop when that parent goes away.
  if (flags['stop-with-stdin']) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
