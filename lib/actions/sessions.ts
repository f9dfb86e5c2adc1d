/**
 * The product's core question: is this device connected? QuerySessionByClientId for one id;
 * for many, one query per id ('exact') or BatchQuerySessionByClientIds with ten ids per call
 * ('batch'). One outcome per input id, in input order, whatever the input holds.
 */
import { asOnsMqttError, invalidInput } from '../base/errors';
import {
  isSessionFailure,
  type CallOptions,
  type OfflineDetails,
  type OfflineDetailsOptions,
  type QueryMode,
  type SessionQueryOutcome,
  type SessionStatus,
  type StatusCallOptions,
} from '../base/results';
import { displayValue, requireId, requireOneOf } from '../base/validation';
import { inPool, type ActionSender } from '../send/sender';
import type { TransportResponse } from '../send/transport';

/** Ids per BatchQuerySessionByClientIds call (the API's maximum). */
export const BATCH_SIZE = 10;

/** What the session actions need: the sender, and how to read an offline device's details. */
export interface SessionContext {
  sender: ActionSender;
  readOfflineDetails(
    device: { clientId: string; instanceId: string },
    options: CallOptions & OfflineDetailsOptions,
  ): Promise<OfflineDetails>;
}

/** Is this device connected? Calls QuerySessionByClientId. Throws OnsMqttError. */
export async function querySession(
  context: SessionContext,
  input: { clientId: string; instanceId: string },
  options: StatusCallOptions = {},
): Promise<SessionStatus> {
  const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const response = await context.sender.call(
    'QuerySessionByClientId',
    { ClientId: clientId, InstanceId: instanceId },
    options.signal,
  );
  const online = response.body.OnlineStatus;
  if (typeof online !== 'boolean') throw context.sender.malformed('QuerySessionByClientId', 'OnlineStatus', response);
  const status: SessionStatus = {
    clientId,
    instanceId,
    online,
    requestId: response.requestId,
    checkedAt: new Date().toISOString(),
  };
  return options.offlineDetails ? withOfflineDetails(context, status, options) : status;
}

/** The status with its offline details when it is offline (an online status is returned as is). */
async function withOfflineDetails(
  context: SessionContext,
  status: SessionStatus,
  options: StatusCallOptions,
): Promise<SessionStatus> {
  if (status.online) return status;
  const detailOptions = typeof options.offlineDetails === 'object' ? options.offlineDetails : {};
  return { ...status, details: await context.readOfflineDetails(status, { ...detailOptions, signal: options.signal }) };
}

/**
 * Many devices of one instance. One outcome per input id, in input order; an id that fails
 * (locally or remotely) gets `{ clientId, instanceId, error }` and never stops the others.
 *
 * mode 'exact' (default) calls QuerySessionByClientId once per id, concurrently within the rate
 * limit. mode 'batch' calls BatchQuerySessionByClientIds with 10 ids per call: ten times fewer
 * calls, but the service answers it from an internal cache that can lag behind the real state.
 */
export async function querySessions(
  context: SessionContext,
  input: { clientIds: readonly unknown[]; instanceId: string; mode?: QueryMode },
  options: StatusCallOptions & { onResult?: (outcome: SessionQueryOutcome, index: number) => void } = {},
): Promise<SessionQueryOutcome[]> {
  if (!input || !Array.isArray(input.clientIds)) throw invalidInput('clientIds', 'expected an array of Client IDs.');
  const { sender } = context;
  const mode = requireOneOf<QueryMode>('mode', input.mode, ['exact', 'batch'], 'exact');
  const ids = input.clientIds;
  const results = new Array<SessionQueryOutcome>(ids.length);
  const rawInstance = typeof input.instanceId === 'string' ? input.instanceId.trim() : displayValue(input.instanceId);
  const finish = (index: number, outcome: SessionQueryOutcome) => {
    results[index] = outcome;
    options.onResult?.(outcome, index);
  };
  // Details are read beside the status queries, not inside their pool: a slow trace never holds
  // a slot that the next device's status needs.
  const detailReads: Array<Promise<void>> = [];
  const settle = (index: number, outcome: SessionQueryOutcome) => {
    if (!options.offlineDetails || isSessionFailure(outcome) || outcome.online) return finish(index, outcome);
    detailReads.push(
      withOfflineDetails(context, outcome, options).then(
        (detailed) => finish(index, detailed),
        () => finish(index, outcome), // cancelled: the status stands
      ),
    );
  };
  let instanceId: string;
  try {
    instanceId = requireId('instanceId', input.instanceId, 'post-cn-xxxxxxxx');
  } catch (error) {
    ids.forEach((id, i) =>
      settle(i, { clientId: displayValue(id), instanceId: rawInstance, error: asOnsMqttError(error) }),
    );
    return results;
  }
  if (mode === 'exact') {
    await inPool(ids.length, sender.concurrency, async (i) => {
      const id: unknown = ids[i];
      try {
        settle(i, await querySession(context, { clientId: id as string, instanceId }, { signal: options.signal }));
      } catch (error) {
        settle(i, {
          clientId: typeof id === 'string' ? id.trim() : displayValue(id),
          instanceId,
          error: asOnsMqttError(error),
        });
      }
    });
    await Promise.all(detailReads);
    return results;
  }

  // Batch: validate each id, then chunks of 10 valid ids.
  const valid: Array<{ index: number; clientId: string }> = [];
  ids.forEach((id, index) => {
    try {
      valid.push({ index, clientId: requireId('clientId', id, 'GID_group@@@device') });
    } catch (error) {
      settle(index, { clientId: displayValue(id), instanceId, error: asOnsMqttError(error) });
    }
  });
  const chunkCount = Math.ceil(valid.length / BATCH_SIZE);
  await inPool(chunkCount, sender.concurrency, async (c) => {
    const chunk = valid.slice(c * BATCH_SIZE, (c + 1) * BATCH_SIZE);
    const query: Record<string, string> = { InstanceId: instanceId };
    chunk.forEach((entry, k) => (query[`ClientIdList.${k + 1}`] = entry.clientId));
    let response: TransportResponse;
    try {
      response = await sender.call('BatchQuerySessionByClientIds', query, options.signal);
    } catch (error) {
      for (const entry of chunk)
        settle(entry.index, { clientId: entry.clientId, instanceId, error: asOnsMqttError(error) });
      return;
    }
    const byId = onlineById(response.body.OnlineStatusList);
    const checkedAt = new Date().toISOString();
    for (const entry of chunk) {
      const online = byId.get(entry.clientId);
      if (online === undefined) {
        const error = sender.malformed(
          'BatchQuerySessionByClientIds',
          `OnlineStatusList entry for ${entry.clientId}`,
          response,
        );
        error.attempts = 1;
        settle(entry.index, { clientId: entry.clientId, instanceId, error });
      } else {
        settle(entry.index, { clientId: entry.clientId, instanceId, online, requestId: response.requestId, checkedAt });
      }
    }
  });
  await Promise.all(detailReads);
  return results;
}

/** The batch answer's rows that are well formed, by Client ID (a row the service mangled is left out). */
function onlineById(list: unknown): Map<string, boolean> {
  const byId = new Map<string, boolean>();
  if (!Array.isArray(list)) return byId;
  for (const row of list as Array<Record<string, unknown>>) {
    if (row && typeof row.ClientId === 'string' && typeof row.OnlineStatus === 'boolean')
      byId.set(row.ClientId, row.OnlineStatus);
  }
  return byId;
}
