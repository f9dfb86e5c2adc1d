import { randomBytes } from 'node:crypto';

/**
 * The messages the emulator's broker carried, as the message traces report them: each publish
 * (by an MQTT client: pub_mqtt; by the API's SendMessage or the Cloud SDK: pub_mq) and each
 * delivery to a subscribed client (sub), with the message's MsgId.
 */
export type MessageAction = 'pub_mqtt' | 'pub_mq' | 'sub';

export interface MessageEvent {
  timeMs: number;
  msgId: string;
  clientId: string;
  action: MessageAction;
}

const ACTION_CODE: Record<MessageAction, string> = {
  pub_mqtt: 'mqtt.trace.action.msg.pub.mqtt',
  pub_mq: 'mqtt.trace.action.msg.pub.mq',
  sub: 'mqtt.trace.action.msg.sub',
};
const ACTION_INFO: Record<MessageAction, string> = {
  pub_mqtt: 'Pub From Mqtt Client',
  pub_mq: 'Pub From MQ',
  sub: 'Push To Mqtt Client',
};

export function actionCodeOfMessage(action: MessageAction): string {
  return ACTION_CODE[action];
}

export function actionInfoOfMessage(action: MessageAction): string {
  return ACTION_INFO[action];
}

/** A MsgId as the service gives one: 32 upper-case hex digits. */
export function newMsgId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Kept for any troubleshooting query, bounded for long runs (the oldest go first). */
const MAX_EVENTS = 20_000;

export class MessageLog {
  private events: MessageEvent[] = [];

  record(event: MessageEvent): void {
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events = this.events.slice(-MAX_EVENTS / 2);
  }

  /** Oldest first, within [begin, end]. */
  find(begin: number, end: number, match: (event: MessageEvent) => boolean): MessageEvent[] {
    return this.events.filter((e) => e.timeMs >= begin && e.timeMs <= end && match(e));
  }
}
