/**
 * The emulator's inbox: where the example workflows and flows post their tickets, incidents and
 * summaries, so that they run to a green end without a ticket system. `POST /__emulator/inbox/<any
 * path>` keeps the JSON body and answers 201 with an id (as a ticket system would); `GET
 * /__emulator/inbox` lists what arrived, oldest first; `DELETE` empties it. In memory, bounded.
 */
export interface InboxEntry {
  /** "ticket-1", "ticket-2", ...: what the poster gets back, as from a ticket system. */
  id: string;
  /** The path under the inbox it was posted to: "tickets", "tickets/GID_x@@@y/close", "fleet/summary". */
  path: string;
  body: unknown;
  receivedAt: string;
}

/** Enough for a demo that runs for days; the oldest go first. */
const KEPT = 1000;

export class Inbox {
  private entries: InboxEntry[] = [];
  private seq = 0;

  add(path: string, body: unknown): InboxEntry {
    const entry: InboxEntry = { id: `ticket-${++this.seq}`, path, body, receivedAt: new Date().toISOString() };
    this.entries.push(entry);
    if (this.entries.length > KEPT) this.entries.splice(0, this.entries.length - KEPT);
    return entry;
  }

  list(): readonly InboxEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
