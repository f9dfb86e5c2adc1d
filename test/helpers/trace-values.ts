/**
 * The connection trace's values as Alibaba documents them (the OnsMqtt 2020-04-20 SDK's models,
 * aliyun/alibabacloud-typescript-sdk, onsmqtt-20200420/src/client.ts): tests that read a trace
 * compare with this table, never with what the emulator happens to say.
 */
export const TRACE_ACTION_CODES = {
  connect: 'mqtt.trace.action.connect',
  close: 'mqtt.trace.action.close',
  disconnect: 'mqtt.trace.action.disconnect',
} as const;

/** ActionInfo values of the model (`accepted` for a successful connect; the model's example says `accept`). */
export const TRACE_ACTION_INFO = {
  accepted: 'accepted',
  acceptedAsInExample: 'accept',
  notAuthorized: 'not authorized',
  clientIdConflict: 'clientId conflict',
  resourceAuthFailed: 'resource auth failed',
  noHeart: 'no heart',
  closedByClient: 'closed by client',
  disconnectedByClient: 'disconnected by client',
  invalidParam: 'invalid param',
  socketIoException: 'Socket IOException',
} as const;

export const DOCUMENTED_ACTION_INFO: readonly string[] = Object.values(TRACE_ACTION_INFO);
