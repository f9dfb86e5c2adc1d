/**
 * The batcher behind n8n's Get Many Statuses (one item at a time, 10 Client IDs per request): what
 * one turn of the event loop asks is grouped by instance, and every waiting item gets exactly one
 * answer, also when the call fails at once. (Against the emulator: n8n-node.test.ts, "25 items in
 * 3 batch calls".)
 */
import { OnsMqttError, SessionBatcher, type OnsMqttClient, type SessionQueryOutcome } from '../../lib/internal';

function fakeClient(answer: (clientIds: readonly unknown[], instanceId: string) => SessionQueryOutcome[]) {
  const calls: Array<[unknown[], string]> = [];
  const client = {
    querySessions: (input: { clientIds: readonly unknown[]; instanceId: string }) => {
      calls.push([[...input.clientIds], input.instanceId]);
      return Promise.resolve(answer(input.clientIds, input.instanceId));
    },
  } as unknown as OnsMqttClient;
  return { client, calls };
}

it('groups one turn of queries by instance, one call each, answers in order', async () => {
  const { client, calls } = fakeClient((ids, instanceId) =>
    ids.map((id) => ({
      clientId: String(id),
      instanceId,
      online: String(id).endsWith('1'),
      requestId: 'r',
      checkedAt: 'now',
    })),
  );
  const batcher = new SessionBatcher(() => client, {});
  const answers = await Promise.all([
    batcher.query('GID_a@@@1', 'post-cn-a'),
    batcher.query('GID_b@@@2', 'post-cn-b'),
    batcher.query('GID_a@@@3', 'post-cn-a'),
  ]);
  expect(calls).toEqual([
    [['GID_a@@@1', 'GID_a@@@3'], 'post-cn-a'],
    [['GID_b@@@2'], 'post-cn-b'],
  ]);
  expect(answers.map((a) => [a.clientId, a.online])).toEqual([
    ['GID_a@@@1', true],
    ['GID_b@@@2', false],
    ['GID_a@@@3', false],
  ]);
});

it('every waiting item is answered once with an OnsMqttError when the call throws at once', async () => {
  const batcher = new SessionBatcher(() => {
    throw new Error('no client');
  }, {});
  const outcomes = await Promise.allSettled([
    batcher.query('GID_x@@@1', 'post-cn-x'),
    batcher.query('GID_x@@@2', 'post-cn-x'),
  ]);
  expect(outcomes.map((o) => o.status === 'rejected' && o.reason instanceof OnsMqttError)).toEqual([true, true]);
});

it('an instance that is not text fails that item alone, before any call', async () => {
  const { client, calls } = fakeClient(() => []);
  const batcher = new SessionBatcher(() => client, {});
  await expect(batcher.query('GID_x@@@1', { toString: 1 })).rejects.toMatchObject({ code: 'InvalidInput' });
  expect(calls).toEqual([]);
});
