import type { INodeExecutionData } from 'n8n-workflow';
import { statusFields } from '../../../../lib/portable';
import { clientIdParameter, instanceIdParameter } from '../../../n8n-common/parameters';
import type { N8nOperation } from '../operation';

/** Longer waits belong in the workflow (a Wait node and a loop), not in one running execution. */
export const MAX_WAIT_SECONDS = 900;

/** Checks until the device is online (output 0) or the timeout passes (output 1, with the trace). */
export const waitUntilOnline: N8nOperation = {
  resource: 'deviceSession',
  option: {
    name: 'Wait Until Online',
    value: 'waitUntilOnline',
    description: 'Wait until a device connects, or time out with its connection trace',
    action: 'Wait until a device is online',
  },
  subtitle: 'Wait Until Online',
  outputs: ['Online', 'Timed Out'],
  properties: [
    {
      displayName:
        "Checks the device again and again (every 0.5 s at first, then up to the interval) until it is online or the timeout passes. Timed Out items carry the connection trace of the wait: refused logins and drops are the evidence a ticket needs. For waits longer than 15 minutes, loop through n8n's Wait node instead: an execution waiting that long holds a worker.",
      name: 'waitNotice',
      type: 'notice',
      default: '',
    },
    clientIdParameter('MQTT Client ID of the device to wait for (GroupID@@@DeviceID)'),
    instanceIdParameter,
    {
      displayName: 'Timeout (Seconds)',
      name: 'waitTimeout',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: MAX_WAIT_SECONDS },
      default: 120,
      description: 'How long to wait for the device to connect (at most 900)',
    },
    {
      displayName: 'Check Interval (Seconds)',
      name: 'pollInterval',
      type: 'number',
      typeOptions: { minValue: 0.5, maxValue: 300, numberPrecision: 1 },
      default: 5,
      description: 'The longest pause between two checks',
    },
  ],
  parameters: ['clientId', 'instanceId', 'waitTimeout', 'pollInterval'],
  async run({ params, client, signal }) {
    const seconds = Math.min(MAX_WAIT_SECONDS, Number(params.waitTimeout));
    const result = await client.waitUntilOnline(
      {
        clientId: params.clientId as string,
        instanceId: params.instanceId as string,
        timeoutMs: Math.round(seconds * 1000),
        pollIntervalMs: Math.round(Number(params.pollInterval) * 1000),
      },
      { signal },
    );
    if (result.online) {
      const { waitedMs, checks } = result;
      return { output: 0, json: { ...statusFields({ ...result, online: true }), waitedMs, checks } };
    }
    return {
      output: 1,
      json: {
        clientId: result.clientId,
        instanceId: result.instanceId,
        online: false,
        timedOut: true,
        waitedMs: result.waitedMs,
        checks: result.checks,
        trace: result.trace as unknown as INodeExecutionData['json'][],
        ...(result.traceError ? { traceError: result.traceError.message } : {}),
        ...(result.lastError ? { lastError: result.lastError.message } : {}),
      },
    };
  },
};
