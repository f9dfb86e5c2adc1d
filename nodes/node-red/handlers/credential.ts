import {
  runDeviceCredentialOperation,
  runTokenOperation,
  type OperationResult,
  type TokenActions,
} from '../../../lib/internal';
import type { QueryNodeContext, QueryNodeDef } from '../node-context';
import type { NodeMessage, NodeStatus, SendFn } from '../types';

export type CredentialOperation =
  | 'getOrRegister'
  | 'get'
  | 'register'
  | 'refresh'
  | 'unregister'
  | 'applyToken'
  | 'queryToken'
  | 'revokeToken';
export const CREDENTIAL_NODE_OPERATIONS: readonly CredentialOperation[] = [
  'getOrRegister',
  'get',
  'register',
  'refresh',
  'unregister',
  'applyToken',
  'queryToken',
  'revokeToken',
];

export interface CredentialDef extends QueryNodeDef {
  operation?: CredentialOperation;
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  topics?: string;
  topicsType?: string;
  access?: TokenActions;
  validMinutes?: number | string;
  token?: string;
  tokenType?: string;
}

/**
 * A device's credential or a token, by the node's operation: the result replaces msg.payload. The
 * secret is in the message because the flow needs it; it is never in a status, an error or a log.
 */
export async function credentialOperation(
  ctx: QueryNodeContext<CredentialDef>,
  msg: NodeMessage,
  send: SendFn,
): Promise<NodeStatus> {
  const { def } = ctx;
  const instanceId = (await ctx.evaluate(
    def.instanceId || 'instanceId',
    def.instanceId ? (def.instanceIdType ?? 'str') : 'msg',
    msg,
  )) as string;
  const result = await run(ctx, msg, instanceId);
  msg.payload = result.fields;
  send(msg);
  return { fill: 'green', shape: 'dot', text: ctx.RED._(`alicloud-mqtt-credential.status.${result.status}`) };
}

async function run(
  ctx: QueryNodeContext<CredentialDef>,
  msg: NodeMessage,
  instanceId: string,
): Promise<OperationResult> {
  const { def } = ctx;
  const operation = CREDENTIAL_NODE_OPERATIONS.includes(def.operation as CredentialOperation)
    ? (def.operation as CredentialOperation)
    : 'getOrRegister';
  const signal = ctx.work.signal;
  const client = ctx.client();
  if (operation === 'applyToken') {
    const topics = await ctx.evaluate(def.topics || 'topics', def.topics ? (def.topicsType ?? 'str') : 'msg', msg);
    const validMinutes = Number(def.validMinutes) > 0 ? Number(def.validMinutes) : 60;
    return runTokenOperation(
      client,
      {
        operation: 'apply',
        instanceId,
        resources: topics as string | string[],
        actions: def.access ?? 'R,W',
        validMinutes,
      },
      { signal },
    );
  }
  if (operation === 'queryToken' || operation === 'revokeToken') {
    const token = (await ctx.evaluate(
      def.token || 'token',
      def.token ? (def.tokenType ?? 'msg') : 'msg',
      msg,
    )) as string;
    return runTokenOperation(
      client,
      { operation: operation === 'queryToken' ? 'query' : 'revoke', instanceId, token },
      { signal },
    );
  }
  const clientId = (await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg)) as string;
  return runDeviceCredentialOperation(client, operation, { clientId, instanceId }, { signal });
}
