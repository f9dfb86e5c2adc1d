import {
  Expression,
  NodeHelpers,
  type INodeTypeDescription,
  type ICredentialDataDecryptedObject,
  type IDataObject,
  type IExecuteFunctions,
  type INode,
  type INodeExecutionData,
} from 'n8n-workflow';

/**
 * The part of n8n's IExecuteFunctions that our node uses, with parameters resolved per item by
 * n8n-workflow's real expression engine. The node's behaviour inside a real n8n (error output,
 * paired items across nodes) is proven end to end in test/e2e; this context keeps the many
 * routing cases fast.
 */
export interface ContextOptions {
  parameters: Record<string, unknown>;
  items: IDataObject[];
  credentials: ICredentialDataDecryptedObject;
  onError?: INode['onError'];
  nodeType?: string;
  /** What n8n's getExecutionCancelSignal() returns (cancelling the execution aborts it). */
  cancelSignal?: AbortSignal;
  /**
   * The node's description (default: the Alibaba Cloud MQTT node's, unless `nodeType` names another):
   * the parameters are then what n8n keeps of them (the defaults of those shown filled in, those
   * hidden by their display options dropped), and reading one that is not there without a fallback
   * throws "Could not get parameter", as n8n-core does (a hidden From read for a named window
   * passed here while real n8n refused it).
   */
  description?: INodeTypeDescription;
  /** The stored credential, to share between contexts or to read after the run; made from `credentials` when absent. */
  store?: CredentialStore;
}

import { setMaxListeners } from 'node:events';
import { credentialStore, n8nHelpers, type CredentialStore } from './n8n-http';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';

const expression = new Expression('UTC');

export function executeContext(
  options: ContextOptions,
): IExecuteFunctions & { logs: string[]; store: CredentialStore } {
  const items: INodeExecutionData[] = options.items.map((json) => ({ json }));
  const node: INode = {
    id: 'node-1',
    name: 'Alibaba Cloud MQTT',
    type: options.nodeType ?? '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqtt',
    typeVersion: 1,
    position: [0, 0],
    parameters: options.parameters as INode['parameters'],
    onError: options.onError ?? 'stopWorkflow',
  };
  const resolve = (value: unknown, itemIndex: number): unknown => {
    if (typeof value === 'string' && value.startsWith('=')) {
      return expression.resolveSimpleParameterValue(value, {
        $json: items[itemIndex]?.json ?? {},
        $parameter: options.parameters,
      } as never);
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, itemIndex)]));
    }
    return value;
  };
  const logs: string[] = [];
  // What n8n keeps of the node's parameters (NodeHelpers.getNodeParameters, as n8n runs it on load).
  const description =
    options.description ?? (options.nodeType === undefined ? new AlibabaCloudMqtt().description : undefined);
  const shown = description
    ? (NodeHelpers.getNodeParameters(
        description.properties,
        options.parameters as INode['parameters'],
        true,
        false,
        node,
        description,
      ) as Record<string, unknown>)
    : undefined;
  const store = options.store ?? credentialStore(options.credentials);
  // As n8n does with its execution's signal (WorkflowExecute): every request listens to it.
  if (options.cancelSignal) setMaxListeners(Infinity, options.cancelSignal);
  const ctx = {
    logs,
    store,
    helpers: n8nHelpers(store, node, () => options.cancelSignal),
    getInputData: () => items,
    getNode: () => node,
    getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
      const value = (shown ?? options.parameters)[name];
      if (value === undefined && shown && fallback === undefined) throw new Error(`Could not get parameter "${name}"`);
      return value === undefined ? fallback : resolve(value, itemIndex);
    },
    getCredentials: async () => ({ ...store.data }),
    continueOnFail: () => node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput',
    getExecutionCancelSignal: () => options.cancelSignal,
    logger: {
      debug: (m: string) => logs.push(m),
      info: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    },
  };
  return ctx as unknown as IExecuteFunctions & { logs: string[]; store: CredentialStore };
}

/** Evaluate the node's dynamic `outputs` expression as n8n does, for given parameters. */
export function evaluateOutputs(outputs: unknown, parameters: Record<string, unknown>): Array<{ displayName: string }> {
  return expression.resolveSimpleParameterValue(
    outputs as string,
    { $parameter: parameters } as never,
  ) as unknown as Array<{ displayName: string }>;
}

/** The part of n8n's IPollFunctions the trigger uses; static data persists across polls like an active workflow's. */
export function pollContext(options: {
  parameters: Record<string, unknown>;
  credentials: ICredentialDataDecryptedObject;
  mode?: 'trigger' | 'manual';
  staticData?: IDataObject;
  store?: CredentialStore;
}) {
  const store = options.store ?? credentialStore(options.credentials);
  const staticData = options.staticData ?? {};
  const warnings: string[] = [];
  const node: INode = {
    id: 'trigger-1',
    name: 'Alibaba Cloud MQTT Trigger',
    type: '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqttTrigger',
    typeVersion: 1,
    position: [0, 0],
    parameters: options.parameters as INode['parameters'],
  };
  const ctx = {
    getNodeParameter: (name: string, fallback?: unknown) =>
      options.parameters[name] === undefined ? fallback : options.parameters[name],
    getCredentials: async () => ({ ...store.data }),
    helpers: n8nHelpers(store, node),
    getNode: () => node,
    getMode: () => options.mode ?? 'trigger',
    getWorkflowStaticData: () => staticData,
    logger: {
      warn: (m: string) => warnings.push(m),
      info: () => undefined,
      debug: () => undefined,
      error: (m: string) => warnings.push(m),
    },
  };
  return { ctx: ctx as unknown as import('n8n-workflow').IPollFunctions, staticData, warnings, store };
}
