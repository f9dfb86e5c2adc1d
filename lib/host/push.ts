/**
 * What both hosts need to subscribe a watch to push presence: the Cloud SDK's login from the
 * client options a host already builds (the Cloud SDK takes an AccessKey pair only), and the MQTT
 * Group IDs to consume, from the setting or, left empty, from the watched Client IDs
 * (`GID_x@@@device` belongs to `GID_x`).
 */
import { invalidInput } from '../base/errors';
import type { OnsMqttClientOptions } from '../client/options';
import type { StatusSubscriptionOptions } from '../push/status-subscription';

export type PushLogin = Pick<StatusSubscriptionOptions, 'accessKeyId' | 'accessKeySecret' | 'network' | 'endpoint'>;

export function pushLoginFrom(options: OnsMqttClientOptions, endpoint?: string): PushLogin {
  const spec = options.credential;
  const accessKeyId = spec ? (spec.type === 'access_key' ? spec.accessKeyId : undefined) : options.securityToken ? undefined : options.accessKeyId;
  const accessKeySecret = spec ? (spec.type === 'access_key' ? spec.accessKeySecret : undefined) : options.accessKeySecret;
  if (!accessKeyId || !accessKeySecret) {
    throw invalidInput(
      'credentials',
      'push presence (the Cloud SDK) logs in with an AccessKey pair only: STS tokens and roles are not accepted there. Choose the AccessKey authentication in this account, or watch by polling.',
    );
  }
  const custom = typeof endpoint === 'string' && endpoint.trim() ? endpoint.trim() : undefined;
  if (custom && !/^amqp:\/\/[^/\s]+$/.test(custom)) throw invalidInput('pushEndpoint', `the Cloud SDK endpoint is amqp://host:port, not "${custom}".`);
  return { accessKeyId, accessKeySecret, network: options.network === 'vpc' ? 'vpc' : 'public', ...(custom ? { endpoint: custom } : {}) };
}

/** The Group IDs to consume: the setting (comma or line separated), else those of the watched Client IDs. */
export function pushGroupIdsFrom(setting: unknown, clientIds: readonly string[]): string[] {
  const given = typeof setting === 'string' ? setting.split(/[\s,]+/).filter(Boolean) : [];
  const groups = given.length ? given : clientIds.map((id) => id.split('@@@')[0]).filter((g) => g && g.length < 200);
  const unique = [...new Set(groups)];
  if (unique.length === 0) throw invalidInput('groupIds', 'push presence needs a Group ID (GID_x): give one, or Client IDs of the form GID_x@@@device.');
  return unique;
}
