/**
 * The Cloud SDK's AMQP login, as Alibaba's own Java and Go server SDKs build it:
 * - user name: Base64 of `0:<instanceId>:<AccessKeyId>` (a literal 0, the instance, the key);
 * - password: Base64 of the raw HMAC-SHA1 of the timestamp (epoch milliseconds as decimal text),
 *   keyed with the AccessKey secret;
 * - the same timestamp as the connection's client property `signKey`.
 * A fresh timestamp at every dial, as the Go SDK does (the Java SDK keeps its first one for ever).
 */
import { createHmac } from 'node:crypto';

export function cloudSdkUsername(instanceId: string, accessKeyId: string): string {
  return Buffer.from(`0:${instanceId}:${accessKeyId}`, 'utf8').toString('base64');
}

export function cloudSdkPassword(accessKeySecret: string, signKey: string): string {
  return createHmac('sha1', Buffer.from(accessKeySecret, 'utf8')).update(signKey, 'utf8').digest('base64');
}

/** The AMQP endpoint of an instance: public (internet) or inside its VPC (internal). */
export function cloudSdkHost(instanceId: string, network: 'public' | 'vpc'): string {
  return `${instanceId}-server-${network === 'vpc' ? 'internal' : 'internet'}.mqtt.aliyuncs.com`;
}
export const CLOUD_SDK_PORT = 5672;
export const CLOUD_SDK_VHOST = 'MQTT';
export const STATUS_QUEUE = 'STATUS';
