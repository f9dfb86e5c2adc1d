import { credentialTestContext } from '../helpers/n8n-http';
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import type { RunningEmulator } from '../../emulator';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import { alibabaCloudMqttApiTest } from '../../nodes/n8n-common/client';
import {
  connectMqtt,
  emulatorWithSentinel,
  everyTextOf,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
} from '../helpers/emulator';
import { evaluateOutputs, executeContext, type ContextOptions } from '../helpers/n8n-context';
import { TRACE_ACTION_CODES, TRACE_ACTION_INFO } from '../helpers/trace-values';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
const node = new AlibabaCloudMqtt();

beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

function credentials(overrides: Record<string, unknown> = {}) {
  return {
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    useSts: false,
    region: 'cn-hangzhou',
    network: 'public',
    endpoint: emu.endpoint,
    ...overrides,
  };
}

// A generous timeout: on a loaded machine a 2 s one can expire before a fail-class answer is read,
// and the retry it causes would look like a fail-class request sent twice.
const FAST = { maxAttempts: 3, timeout: 10_000 };

async function run(
  parameters: Record<string, unknown>,
  items: ContextOptions['items'],
  extra: Partial<ContextOptions> = {},
) {
  const ctx = executeContext({
    parameters: {
      resource: 'deviceSession',
      operation: 'getStatus',
      clientId: '={{ $json.clientId }}',
      instanceId: INSTANCE,
      options: FAST,
      ...parameters,
    },
    items,
    credentials: credentials(),
    ...extra,
  });
  return node.execute.call(ctx);
}

const ids = (out: INodeExecutionData[]) => out.map((i) => i.json.clientId);
const sentFor = (clientId: string) => emu.requestLog().filter((e) => e.clientIds.includes(clientId));

describe('n8n node: description', () => {
  it('outputs follow the operation and the Route Errors switch', () => {
    const outputs = node.description.outputs;
    expect(evaluateOutputs(outputs, { operation: 'getStatus' }).map((o) => o.displayName)).toEqual([
      'Online',
      'Offline',
    ]);
    expect(
      evaluateOutputs(outputs, { operation: 'getManyStatuses', routeErrors: true }).map((o) => o.displayName),
    ).toEqual(['Online', 'Offline', 'Retry', 'Fail']);
    expect(
      evaluateOutputs(outputs, { operation: 'getConnectionTrace', routeErrors: true }).map((o) => o.displayName),
    ).toEqual(['Events']);
  });

  it('is usable as a tool, tests its credentials, and names the operation in the subtitle', () => {
    expect(node.description.usableAsTool).toBe(true);
    expect(node.description.credentials?.[0]).toMatchObject({
      name: 'alibabaCloudMqttApi',
      testedBy: 'alibabaCloudMqttApiTest',
    });
    expect(node.methods.credentialTest.alibabaCloudMqttApiTest).toBe(alibabaCloudMqttApiTest);
  });
});

describe('n8n node: Get Status', () => {
  it('routes online and offline items, keeping their fields, with pairedItem', async () => {
    const device = await connectMqtt(emu.mqttUrl!, 'GID_n8n@@@on');
    try {
      const [online, offline] = await run({}, [
        { clientId: 'GID_n8n@@@on', owner: 'alice', site: 'Hangzhou' },
        { clientId: 'GID_n8n@@@off', owner: 'bob' },
      ]);
      expect(online).toEqual([
        {
          json: {
            clientId: 'GID_n8n@@@on',
            owner: 'alice',
            site: 'Hangzhou',
            instanceId: INSTANCE,
            online: true,
            requestId: expect.any(String),
            checkedAt: expect.any(String),
          },
          pairedItem: { item: 0 },
        },
      ]);
      expect(offline).toEqual([
        {
          json: expect.objectContaining({ clientId: 'GID_n8n@@@off', owner: 'bob', online: false }),
          pairedItem: { item: 1 },
        },
      ]);
    } finally {
      device.end(true);
    }
  });

  it('evaluates expressions per item', async () => {
    emu.setDeviceOnline('GID_expr@@@2', true);
    const [online, offline] = await run({ clientId: '={{ "GID_" + $json.group + "@@@" + $json.n }}' }, [
      { group: 'expr', n: 1 },
      { group: 'expr', n: 2 },
    ]);
    expect(ids(online)).toEqual(['GID_expr@@@2']);
    expect(ids(offline)).toEqual(['GID_expr@@@1']);
  });

  it('retry-class errors are retried inside the node and recover', async () => {
    emu.setFaults({ errors: [{ code: 'SystemOverFlow', times: 2 }] });
    const [online, offline] = await run({}, [{ clientId: 'GID_r@@@1' }]);
    expect(online).toHaveLength(0);
    expect(offline[0].json).toMatchObject({ clientId: 'GID_r@@@1', online: false });
    expect(sentFor('GID_r@@@1')).toHaveLength(3);
  });

  describe('a failed item under each On Error setting', () => {
    const items = [{ clientId: 'GID_e@@@ok' }, { clientId: 'GID_e@@@bad' }, { clientId: 'GID_e@@@flaky' }];
    beforeEach(() => {
      emu.setDeviceOnline('GID_e@@@ok', true);
      emu.setFaults({
        errors: [
          { code: 'PermissionCheckFailed', clientId: 'GID_e@@@bad' },
          { code: 'InternalError', clientId: 'GID_e@@@flaky' },
        ],
      });
    });

    it('Stop Workflow: NodeApiError naming the code and the request id, the hint once in the description with what is known filled in; fail-class sent once', async () => {
      const error = (await run({}, items).catch((e) => e)) as NodeApiError;
      expect(error).toBeInstanceOf(NodeApiError);
      expect(error.message).toContain('PermissionCheckFailed');
      expect(error.message).toMatch(/request id [0-9A-F-]{36}/);
      expect(error.message).not.toContain('mq:MqttInstanceAccess');
      expect(error.description).toContain(`mq:MqttInstanceAccess on acs:mq:cn-hangzhou:*:${INSTANCE}`);
      expect(error.description).not.toMatch(/\{\w+\}/);
      expect(error.context.itemIndex).toBe(1);
      expect(sentFor('GID_e@@@bad')).toHaveLength(1);
    });

    it("Continue (using error output): failed items shaped for n8n's Error output ({ error }), never on Online", async () => {
      const [online, offline] = await run({}, items, { onError: 'continueErrorOutput' });
      expect(ids(online)).toEqual(['GID_e@@@ok']);
      expect(offline.map((i) => Object.keys(i.json))).toEqual([['error'], ['error']]);
      const errors = offline.map((i) => i.json.error as Record<string, unknown>);
      expect(errors[0]).toMatchObject({
        clientId: 'GID_e@@@bad',
        code: 'PermissionCheckFailed',
        httpStatus: 400,
        retryable: false,
        attempts: 1,
        requestId: expect.any(String),
        message: expect.stringContaining('mq:MqttInstanceAccess'),
      });
      expect(errors[1]).toMatchObject({
        clientId: 'GID_e@@@flaky',
        code: 'InternalError',
        httpStatus: 500,
        retryable: true,
        attempts: 3,
      });
      expect(offline.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
    });

    it('Continue (regular output): failed items go to Offline with online null and the error fields', async () => {
      const [online, offline] = await run({}, items, { onError: 'continueRegularOutput' });
      expect(ids(online)).toEqual(['GID_e@@@ok']);
      expect(offline.map((i) => [i.json.clientId, i.json.online, i.json.code])).toEqual([
        ['GID_e@@@bad', null, 'PermissionCheckFailed'],
        ['GID_e@@@flaky', null, 'InternalError'],
      ]);
      expect(offline.every((i) => i.error === undefined)).toBe(true);
    });

    it('Route Errors: Retry and Fail outputs, whatever On Error says', async () => {
      for (const onError of ['stopWorkflow', 'continueErrorOutput'] as const) {
        const [online, offline, retry, fail] = await run({ routeErrors: true }, items, { onError });
        expect(ids(online)).toEqual(['GID_e@@@ok']);
        expect(offline).toHaveLength(0);
        expect(ids(retry)).toEqual(['GID_e@@@flaky']);
        expect(ids(fail)).toEqual(['GID_e@@@bad']);
        expect(retry[0].json).toMatchObject({
          code: 'InternalError',
          retryable: true,
          attempts: 3,
          error: expect.stringContaining('InternalError'),
        });
      }
    });
  });

  it('bad parameters: NodeOperationError under Stop Workflow, Fail output with Route Errors; nothing sent', async () => {
    const error = await run({}, [{ clientId: '' }]).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/clientId: is empty/);
    const [, , , fail] = await run({ routeErrors: true }, [{ clientId: 'bad\nid' }, { other: 1 }]);
    expect(fail.map((i) => i.json.code)).toEqual(['InvalidInput', 'InvalidInput']);
    expect(emu.requestLog()).toHaveLength(0);
  });

  it('bad credentials fail every item with a clear message, routed like any failure', async () => {
    const ctx = executeContext({
      parameters: {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        instanceId: INSTANCE,
        routeErrors: true,
        options: {},
      },
      items: [{ clientId: 'a' }, { clientId: 'b' }],
      credentials: credentials({ accessKeySecret: '' }),
    });
    const [, , , fail] = await node.execute.call(ctx);
    expect(fail).toHaveLength(2);
    expect(fail[0].json.message).toMatch(/accessKeySecret: is missing/);
  });

  it('credentials n8n cannot provide: every item to Fail under Route Errors, never Online', async () => {
    const ctx = executeContext({
      parameters: {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        instanceId: INSTANCE,
        routeErrors: true,
        options: {},
      },
      items: [{ clientId: 'a' }, { clientId: 'b' }],
      credentials: credentials(),
      onError: 'continueRegularOutput',
    });
    (ctx as unknown as { getCredentials: () => Promise<never> }).getCredentials = async () => {
      throw new Error('Node does not have any credentials set');
    };
    const [online, offline, retry, fail] = await node.execute.call(ctx);
    expect([online.length, offline.length, retry.length]).toEqual([0, 0, 0]);
    expect(fail.map((i) => i.json.code)).toEqual(['InvalidInput', 'InvalidInput']);
    expect(fail[0].json.message).toMatch(/credentials: Node does not have any credentials set/);
  });

  it('100 mixed items: each in exactly one output, the right one', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ clientId: `GID_mix@@@${i}`, n: i }));
    const kind = (i: number) => (i % 10 === 3 ? 'fail' : i % 10 === 7 ? 'retry' : i % 2 === 0 ? 'online' : 'offline');
    for (let i = 0; i < 100; i++) if (kind(i) === 'online') emu.setDeviceOnline(`GID_mix@@@${i}`, true);
    emu.setFaults({
      errors: items.flatMap((it, i) =>
        kind(i) === 'fail'
          ? [{ code: 'InstancePermissionCheckFailed', clientId: it.clientId }]
          : kind(i) === 'retry'
            ? [{ code: 'ServiceUnavailable', clientId: it.clientId }]
            : [],
      ),
    });
    const outputs = await run({ routeErrors: true }, items);
    const names = ['online', 'offline', 'retry', 'fail'];
    const seen = new Map<number, string>();
    outputs.forEach((out, port) => {
      for (const item of out) {
        const index = (item.pairedItem as { item: number }).item;
        expect(seen.has(index)).toBe(false);
        seen.set(index, names[port]);
        expect(item.json.n).toBe(index);
      }
    });
    expect(seen.size).toBe(100);
    for (let i = 0; i < 100; i++) expect(seen.get(i)).toBe(kind(i));
    // Fail-class: exactly one request each.
    for (let i = 3; i < 100; i += 10) expect(sentFor(`GID_mix@@@${i}`)).toHaveLength(1);
  });

  it('as an AI tool, online and offline results both reach output 0', async () => {
    emu.setDeviceOnline('GID_tool@@@1', true);
    const [first, second] = await run({}, [{ clientId: 'GID_tool@@@1' }, { clientId: 'GID_tool@@@2' }], {
      nodeType: '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqttTool',
    });
    expect(first.map((i) => [i.json.clientId, i.json.online])).toEqual([
      ['GID_tool@@@1', true],
      ['GID_tool@@@2', false],
    ]);
    expect(second).toHaveLength(0);
  });
});

describe('n8n node: Get Many Statuses', () => {
  it('25 items in 3 batch calls, routed online/offline in item order', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ clientId: `GID_many@@@${i}`, n: i }));
    for (const i of [1, 2, 24]) emu.setDeviceOnline(`GID_many@@@${i}`, true);
    const [online, offline] = await run({ operation: 'getManyStatuses' }, items);
    expect(online.map((i) => i.json.n)).toEqual([1, 2, 24]);
    expect(offline).toHaveLength(22);
    expect(emu.requestLog().map((e) => e.action)).toEqual(Array(3).fill('BatchQuerySessionByClientIds'));
    expect([...online, ...offline].every((i) => (i.pairedItem as { item: number }).item === i.json.n)).toBe(true);
  });

  it('a batch that fails sends its items to Retry, others still routed', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ clientId: `GID_mb@@@${i}` }));
    emu.setFaults({ errors: [{ code: 'InternalError', clientId: 'GID_mb@@@11' }] });
    const [online, offline, retry] = await run({ operation: 'getManyStatuses', routeErrors: true }, items);
    expect(online).toHaveLength(0);
    expect(offline).toHaveLength(10);
    expect(ids(retry)).toEqual(['GID_mb@@@10', 'GID_mb@@@11']);
  });
});

describe('n8n node: Get Connection Trace', () => {
  it('returns connect/disconnect events with reasons, limited or all', async () => {
    const device = await connectMqtt(emu.mqttUrl!, 'GID_trace@@@n8n');
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await new Promise((r) => setTimeout(r, 50));
    const params = {
      operation: 'getConnectionTrace',
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date(Date.now() + 1000).toISOString(),
      returnAll: true,
    };
    const [events] = await run(params, [{ clientId: 'GID_trace@@@n8n' }]);
    expect(events.map((e) => [e.json.action, e.json.reason])).toEqual([
      ['disconnect', TRACE_ACTION_INFO.disconnectedByClient],
      ['connect', TRACE_ACTION_INFO.accepted],
    ]);
    expect(events.map((e) => e.json.actionCode)).toEqual([TRACE_ACTION_CODES.disconnect, TRACE_ACTION_CODES.connect]);
    expect(events[0].pairedItem).toEqual({ item: 0 });
    const [limited] = await run({ ...params, returnAll: false, limit: 1 }, [{ clientId: 'GID_trace@@@n8n' }]);
    expect(limited).toHaveLength(1);
  });

  it('errors: thrown under Stop Workflow, an item with the error fields under Continue', async () => {
    const params = {
      operation: 'getConnectionTrace',
      instanceId: 'post-cn-unknown',
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
      returnAll: true,
    };
    expect(await run(params, [{ clientId: 'x' }]).catch((e) => e)).toBeInstanceOf(NodeApiError);
    const [out] = await run(params, [{ clientId: 'x' }], { onError: 'continueRegularOutput' });
    expect(out[0].json).toMatchObject({ clientId: 'x', code: 'InstancePermissionCheckFailed', retryable: false });
    // Under "using error output" the item must be exactly { error } for n8n to move it there.
    const [viaErrorOutput] = await run(params, [{ clientId: 'x', owner: 'ops' }], { onError: 'continueErrorOutput' });
    expect(viaErrorOutput).toHaveLength(1);
    expect(Object.keys(viaErrorOutput[0].json)).toEqual(['error']);
    expect(viaErrorOutput[0].json.error).toMatchObject({
      code: 'InstancePermissionCheckFailed',
      clientId: 'x',
      instanceId: 'post-cn-unknown',
      retryable: false,
    });
    expect(viaErrorOutput[0].pairedItem).toEqual({ item: 0 });
  });
});

describe('n8n credential test', () => {
  const test = (data: Record<string, unknown>) =>
    alibabaCloudMqttApiTest.call(credentialTestContext(), {
      id: '1',
      name: 'c',
      type: 'alibabaCloudMqttApi',
      data: credentials(data) as never,
    });

  it('accepted keys', async () => {
    expect(await test({})).toEqual({ status: 'OK', message: expect.stringContaining('Credentials accepted') });
  });

  it('wrong secret, unknown key, expired token, missing token, unreachable endpoint, bad endpoint: each its own message', async () => {
    const sts = emu.issueStsToken(0);
    const results = await Promise.all([
      test({ accessKeySecret: 'wrong-secret' }),
      test({ accessKeyId: 'LTAI5tUnknown' }),
      test({
        accessKeyId: sts.accessKeyId,
        accessKeySecret: sts.accessKeySecret,
        useSts: true,
        securityToken: sts.securityToken,
      }),
      test({ accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, useSts: false }),
      test({ endpoint: 'http://127.0.0.1:1' }),
      test({ endpoint: 'ftp://example.com' }),
    ]);
    expect(results.every((r) => r.status === 'Error')).toBe(true);
    const messages = results.map((r) => r.message);
    expect(messages[0]).toMatch(/AccessKey Secret is wrong/);
    expect(messages[1]).toMatch(/AccessKey ID is not known/);
    expect(messages[2]).toMatch(/token has expired/);
    expect(messages[3]).toMatch(/turn on STS/);
    expect(messages[4]).toMatch(/Could not reach the endpoint http:\/\/127\.0\.0\.1:1/);
    expect(messages[5]).toMatch(/endpoint: the scheme "ftp:"/);
    expect(new Set(messages).size).toBe(6);
    for (const m of messages) expect(m).not.toContain(SENTINEL_SECRET);
  });
});

describe('n8n credential test: accepted keys that would still fail every call', () => {
  const test = (data: Record<string, unknown>) =>
    alibabaCloudMqttApiTest.call(credentialTestContext(), {
      id: '1',
      name: 'c',
      type: 'alibabaCloudMqttApi',
      data: credentials(data) as never,
    });

  it('an endpoint that does not serve the API (ApiNotSupport) is an error naming the region and endpoint', async () => {
    emu.setFaults({ errors: [{ code: 'ApiNotSupport' }] });
    const result = await test({});
    expect(result.status).toBe('Error');
    expect(result.message).toMatch(/does not serve the OnsMqtt API.*region.*endpoint/);
  });

  it('a key without the RAM permission (PermissionCheckFailed) is an error naming the permission', async () => {
    emu.setFaults({ errors: [{ code: 'PermissionCheckFailed' }] });
    const result = await test({});
    expect(result.status).toBe('Error');
    expect(result.message).toMatch(/AccessKey was accepted.*mq:MqttInstanceAccess/);
  });
});

describe('n8n node: secrets', () => {
  it('the secret appears in no output item and no thrown error', async () => {
    emu.setFaults({
      errors: [
        { code: 'SignatureDoesNotMatch', clientId: 'GID_s@@@1' },
        { code: 'InternalError', clientId: 'GID_s@@@2' },
      ],
    });
    const items = [{ clientId: 'GID_s@@@1' }, { clientId: 'GID_s@@@2' }, { clientId: 'GID_s@@@3' }];
    const texts = [
      everyTextOf(await run({ routeErrors: true }, items)),
      everyTextOf(await run({}, items, { onError: 'continueErrorOutput' })),
      everyTextOf(await run({}, items).catch((e) => e)),
      everyTextOf(await run({ operation: 'getManyStatuses' }, items, { onError: 'continueRegularOutput' })),
    ];
    for (const t of texts) expect(t).not.toContain(SENTINEL_SECRET);
  });
});

describe('n8n node: values that cannot be turned into text (a webhook sends {"toString": 1})', () => {
  // Failed on 3ea3f37: execute() threw "Cannot convert object to primitive value" and, under
  // Continue, n8n passed every item to output 0 (Online), the offline device included.
  const items = () => [{ clientId: 'GID_a@@@1' }, { clientId: { toString: 1 } }, { clientId: 'GID_a@@@2' }];
  it.each([['getManyStatuses'], ['getStatus']])(
    '%s: each item on exactly one output, the bad one as InvalidInput, under each On Error setting',
    async (operation) => {
      emu.setDeviceOnline('GID_a@@@1', true);
      for (const onError of ['continueRegularOutput', 'continueErrorOutput'] as const) {
        const [online, offline] = await run({ operation }, items(), { onError });
        expect(ids(online)).toEqual(['GID_a@@@1']);
        expect(offline).toHaveLength(2);
        expect(offline.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
        expect(JSON.stringify(offline[0].json)).toContain('InvalidInput');
        expect(offline[1].json).toMatchObject({ clientId: 'GID_a@@@2', online: false });
      }
      const stop = await run({ operation }, items() as never).catch((e: unknown) => e);
      expect(stop).toBeInstanceOf(NodeOperationError);
      expect((stop as Error).message).toMatch(/clientId/);
      expect(sentFor('[object Object]')).toEqual([]);
    },
  );

  it('an Instance ID that cannot be turned into text fails its items alone', async () => {
    const [online, offline] = await run(
      { operation: 'getManyStatuses', instanceId: '={{ $json.instance }}' },
      [
        { clientId: 'GID_b@@@1', instance: INSTANCE },
        { clientId: 'GID_b@@@2', instance: { toString: 1 } },
      ] as never,
      { onError: 'continueRegularOutput' },
    );
    expect(online).toEqual([]);
    expect(offline.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(offline[0].json).toMatchObject({ clientId: 'GID_b@@@1', online: false });
    expect(JSON.stringify(offline[1].json)).toContain('InvalidInput');
  });
});
