import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import { OnsMqttClient, type OnsMqttClientOptions } from '../../lib/internal';

/** Sentinel secrets: tests assert they never appear in any output, error or log. */
export const SENTINEL_SECRET = 'SENTINEL-secret-9f8e7d6c5b4a';
export const SENTINEL_ACCESS_KEY_ID = 'LTAI5tSentinelKey';

export async function emulatorWithSentinel(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    accessKeys: [
      { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET },
      { accessKeyId: 'LTAI5tLimitedKey', accessKeySecret: 'limited-secret-value', instances: ['post-cn-other'] },
    ],
    instanceIds: ['post-cn-emulator01', 'post-cn-other'],
    ...options,
  });
}

/** A client for the emulator with short backoff so that retry tests stay quick. */
export function clientFor(emulator: RunningEmulator, overrides: Partial<OnsMqttClientOptions> = {}): OnsMqttClient {
  return new OnsMqttClient({
    accessKeyId: emulator.accessKeyId,
    accessKeySecret: emulator.accessKeySecret,
    endpoint: emulator.endpoint,
    timeoutMs: 10_000, // generous: a loaded machine must not turn an answer into a timeout and a retry
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
}

/** Everything an error could leak through. */
export function everyTextOf(value: unknown): string {
  if (value instanceof Error) {
    const e = value as Error & { cause?: unknown };
    return [
      e.message,
      e.stack ?? '',
      JSON.stringify(e),
      JSON.stringify(e.cause ?? ''),
      JSON.stringify(Object.getOwnPropertyDescriptors(e)),
    ].join('\n');
  }
  return JSON.stringify(value) ?? String(value);
}

export function connectMqtt(url: string, clientId: string, options: Record<string, unknown> = {}) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mqtt = require('mqtt') as typeof import('mqtt');
  const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, ...options });
  return new Promise<import('mqtt').MqttClient>((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
