/**
 * What a device published under a parent topic, as the Cloud SDK delivers it: the payload as the
 * body; the AMQP message id; headers (long strings) `mqttParentTopic`, `mqttSecondTopic`, `clientId`
 * (the publishing device), `bornTime` (epoch ms as digits) and `mqtt5UserProperty` (a JSON array of
 * `{key, value}`), as Alibaba's Java SDK reads them. Headers that are missing or unreadable are left
 * out, never guessed.
 */
export interface DeviceMessage {
  /** The full MQTT topic: the parent topic and the second-level part. */
  topic: string;
  payload: Buffer;
  /** The Client ID of the device that published it. */
  clientId?: string;
  /** When the service received it (ISO 8601), from `bornTime`. */
  bornAt?: string;
  userProperties?: Array<{ key: string; value: string }>;
  messageId?: string;
}

export function deviceMessageOf(
  parentTopic: string,
  body: Buffer,
  properties: { messageId?: unknown; headers?: Record<string, unknown> },
): DeviceMessage {
  const headers = properties.headers ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined);
  const parent = text(headers.mqttParentTopic) || parentTopic;
  const second = text(headers.mqttSecondTopic) ?? '';
  const message: DeviceMessage = {
    topic: second ? `${parent}${second.startsWith('/') ? '' : '/'}${second}` : parent,
    payload: body,
  };
  const clientId = text(headers.clientId);
  if (clientId) message.clientId = clientId;
  const born = text(headers.bornTime);
  if (born && /^\d+$/.test(born) && Number.isSafeInteger(Number(born)))
    message.bornAt = new Date(Number(born)).toISOString();
  const user = text(headers.mqtt5UserProperty);
  if (user) {
    try {
      const parsed: unknown = JSON.parse(user);
      if (Array.isArray(parsed)) {
        message.userProperties = parsed
          .filter((p): p is { key: unknown; value: unknown } => !!p && typeof p === 'object')
          .filter((p) => typeof p.key === 'string' && typeof p.value === 'string')
          .map((p) => ({ key: p.key as string, value: p.value as string }));
      }
    } catch {
      // Not JSON: left out.
    }
  }
  const id = text(properties.messageId);
  if (id) message.messageId = id;
  return message;
}
