import type { IDataObject } from 'n8n-workflow';
import { runMessageTrace, type MessageTraceKind } from '../../../../lib/portable';
import { traceLimit, type N8nOperation } from '../operation';

/**
 * A message trace: one output item per event, newest first, each with the instance and the
 * event's fields (the same as the Node-RED trace node's events).
 */
export function messageTraceOperation(
  kind: MessageTraceKind,
  described: Pick<N8nOperation, 'option' | 'subtitle' | 'properties' | 'parameters'>,
): N8nOperation {
  // The publish trace is one answer: no pages, no limit.
  const limited = kind !== 'publish';
  return {
    resource: 'message',
    outputs: ['Events'],
    ...described,
    async run({ ctx, index, params, client, signal }) {
      const instanceId = params.instanceId as string;
      const events = await runMessageTrace(
        client,
        {
          kind,
          instanceId,
          msgId: params.msgId as string | undefined,
          clientId: params.clientId as string | undefined,
          from: params.from as string,
          to: params.to as string,
          limit: limited ? traceLimit(ctx, index) : undefined,
        },
        { signal },
      );
      return { output: 0, many: events.map((event) => ({ instanceId, ...event }) as IDataObject) };
    },
  };
}
