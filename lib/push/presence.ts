/**
 * Presence from status events, by Alibaba's rules for them (its reference consumer, lmq-demo):
 * - events are grouped by client, then by channel (one TCP connection); a client can have several
 *   channels at once (a new connection arrives before the old one's `tcpclean`);
 * - per channel, the set of event types seen: duplicates change nothing, arrival order does not
 *   matter (a channel's end may arrive before its start);
 * - a client is online when at least one channel has `connect` and no `tcpclean` (`disconnect`
 *   alone is only an early hint: `tcpclean` follows every closed connection);
 * - `time` is the event's own time (epoch ms), used for "since", never the arrival order.
 * Ended channels are kept for a while (so that a late duplicate `connect` of a finished channel
 * cannot bring the client back) and purged after `purgeAfterMs`, as channels that only ever got an
 * end (deploys, broker maintenance) are.
 */
import type { StatusEvent } from './status-event';

export interface PresenceChange {
  clientId: string;
  online: boolean;
  /** When it happened, by the event's own time (ISO 8601). */
  since: string;
  /** Offline only: whether the device said goodbye (an MQTT DISCONNECT) before its connection ended. */
  disconnectSeen?: boolean;
  channelId: string;
}

interface Channel {
  connect?: number;
  disconnect?: number;
  tcpclean?: number;
  /** When this process last heard of the channel (for the purge), not an event time. */
  heardAt: number;
}

export const DEFAULT_PURGE_AFTER_MS = 30 * 60_000;

export class PushPresence {
  private readonly clients = new Map<string, Map<string, Channel>>();

  constructor(readonly purgeAfterMs = DEFAULT_PURGE_AFTER_MS) {}

  /** Whether a client is online by the events seen; undefined when none was seen for it. */
  isOnline(clientId: string): boolean | undefined {
    const channels = this.clients.get(clientId);
    return channels ? onlineOf(channels) : undefined;
  }

  /** Whether a `connect` of the client was seen (since the start or the last clear): push then knows its whole story. */
  sawConnect(clientId: string): boolean {
    for (const c of this.clients.get(clientId)?.values() ?? []) if (c.connect !== undefined) return true;
    return false;
  }

  /** Takes one event in; gives the change it makes to its client's presence, if any. */
  apply(event: StatusEvent, now = Date.now()): PresenceChange | undefined {
    let channels = this.clients.get(event.clientId);
    if (!channels) this.clients.set(event.clientId, (channels = new Map<string, Channel>()));
    const before = onlineOf(channels);
    let channel = channels.get(event.channelId);
    if (!channel) channels.set(event.channelId, (channel = { heardAt: now }));
    channel.heardAt = now;
    // The first time of each type stands: a duplicate changes nothing.
    channel[event.eventType] ??= event.time;
    const after = onlineOf(channels);
    if (after === before) return undefined;
    if (after)
      return {
        clientId: event.clientId,
        online: true,
        since: new Date(event.time).toISOString(),
        channelId: event.channelId,
      };
    return {
      clientId: event.clientId,
      online: false,
      since: new Date(channel.tcpclean ?? event.time).toISOString(),
      disconnectSeen: channel.disconnect !== undefined,
      channelId: event.channelId,
    };
  }

  /** Drops channels that ended (or only ever ended) longer than `purgeAfterMs` ago; clients left with none are forgotten. */
  purge(now = Date.now()): number {
    let purged = 0;
    for (const [clientId, channels] of this.clients) {
      for (const [id, channel] of channels) {
        if (channel.tcpclean !== undefined && now - channel.heardAt >= this.purgeAfterMs) {
          channels.delete(id);
          purged++;
        }
      }
      if (channels.size === 0) this.clients.delete(clientId);
    }
    return purged;
  }

  /** Forgets what push said (after a reconnect, before the re-poll has confirmed each device). */
  clear(): void {
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }
}

function onlineOf(channels: Map<string, Channel>): boolean {
  for (const c of channels.values()) if (c.connect !== undefined && c.tcpclean === undefined) return true;
  return false;
}
