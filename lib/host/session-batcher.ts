/**
 * Batch status queries for hosts that handle one item at a time: the items of one execution ask
 * for one device each, and the batcher gathers what they asked within one turn of the event loop
 * into BatchQuerySessionByClientIds requests of 10 per instance (the core paces and retries them).
 */
import { asOnsMqttError, invalidInput, type OnsMqttError } from '../base/errors';
import { isSessionFailure, type SessionStatus, type StatusCallOptions } from '../base/results';
import { displayValue } from '../base/validation';
import { soon } from '../base/clock';
import type { OnsMqttClient } from '../client/client';

interface Waiting {
  clientId: unknown;
  resolve: (status: SessionStatus) => void;
  reject: (error: OnsMqttError) => void;
}

export class SessionBatcher {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    private readonly client: () => OnsMqttClient,
    private readonly options: StatusCallOptions,
  ) {}

  /** The device's status from a batch query; rejects with its OnsMqttError (bad input included). */
  query(clientId: unknown, instanceId: unknown): Promise<SessionStatus> {
    // Grouped by the instance as written; one that is not text is refused for its item alone.
    if (typeof instanceId !== 'string') {
      return Promise.reject(
        invalidInput(
          'instanceId',
          `expected a non-empty string such as "post-cn-xxxxxxxx", got ${displayValue(instanceId) || 'nothing'}.`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      let group = this.waiting.get(instanceId);
      if (!group) this.waiting.set(instanceId, (group = []));
      group.push({ clientId, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        soon(() => this.flush());
      }
    });
  }

  private flush(): void {
    const groups = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    for (const [instanceId, group] of groups) {
      // Through a promise even if the call throws at once: every waiting item gets its answer.
      Promise.resolve()
        .then(() =>
          this.client().querySessions(
            { clientIds: group.map((w) => w.clientId), instanceId, mode: 'batch' },
            this.options,
          ),
        )
        .then(
          (results) =>
            results.forEach((result, k) => {
              if (isSessionFailure(result)) group[k].reject(result.error);
              else group[k].resolve(result);
            }),
          (error: unknown) => group.forEach((w) => w.reject(asOnsMqttError(error, 'clientIds'))),
        );
    }
  }
}
