/**
 * The core's view of the process environment, as a port each host provides (docs/architecture.md,
 * "Ports"): the proxy variables (HTTPS_PROXY, NO_PROXY), the opt-ins (ALICLOUD_MQTT_*), n8n's queue
 * mode. The Node entries install `process.env` (lib/base/node-environment.ts); the verifiable n8n
 * package installs nothing, so there the core sees an empty environment: n8n's verification forbids
 * reading environment variables, and n8n applies its own proxy settings to its HTTP helper.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

const EMPTY: Environment = Object.freeze({});
let reader: () => Environment = () => EMPTY;

/** Makes `read` the core's environment. */
export function installEnvironment(read: () => Environment): void {
  reader = read;
}

/** The environment the core reads: the host's, or an empty one. */
export function environment(): Environment {
  return reader();
}
