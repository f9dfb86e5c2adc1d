/**
 * n8n's HTTP helpers as the nodes meet them, for the contexts of test/helpers/n8n-context.ts and
 * the transport benchmark (bench/suites/transports.ts):
 * `httpRequest` as n8n converts a request for axios (the library n8n sends with;
 * @n8n/backend-network convertN8nRequestToAxios) and `httpRequestWithAuthentication` as n8n-core
 * 2.40 runs it for a credential with `authenticate` and `preAuthentication` (the expirable field,
 * `credentialsDecrypted`, the stored update, the one resend after a 401, errors wrapped in a
 * NodeApiError). Real n8n runs the same nodes in test/e2e.
 */
import axios, { type AxiosError } from 'axios';
import {
  NodeApiError,
  type ICredentialDataDecryptedObject,
  type IHttpRequestOptions,
  type INode,
  type JsonObject,
} from 'n8n-workflow';
import { AlibabaCloudMqttApi } from '../credentials/AlibabaCloudMqttApi.credentials';

/** The credential as n8n stores it: what getCredentials returns and preAuthentication updates. */
export interface CredentialStore {
  data: ICredentialDataDecryptedObject;
  /** Times n8n ran the credential's preAuthentication and stored its answer. */
  preAuthentications: number;
}

export function credentialStore(data: ICredentialDataDecryptedObject): CredentialStore {
  // n8n fills in every property's default when it decrypts a credential (the hidden ones too).
  const defaults: ICredentialDataDecryptedObject = {};
  for (const property of new AlibabaCloudMqttApi().properties)
    if (property.type === 'hidden') defaults[property.name] = property.default as string;
  return { data: { ...defaults, ...data }, preAuthentications: 0 };
}

export interface FullResponse {
  body: unknown;
  headers: Record<string, unknown>;
  statusCode: number;
  statusMessage: string;
}

export async function n8nHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
  const ignore = options.ignoreHttpStatusErrors === true;
  const response = await axios.request({
    url: options.url,
    baseURL: options.baseURL,
    method: options.method ?? 'GET',
    headers: (options.headers ?? {}) as Record<string, string>,
    params: options.qs,
    timeout: options.timeout,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    ...(options.body !== undefined && options.body !== '' ? { data: options.body } : {}),
    ...(ignore ? { validateStatus: () => true } : {}),
    ...(options.encoding ? { responseType: options.encoding } : {}),
  });
  if (!options.returnFullResponse) return response.data;
  return {
    body: response.data,
    headers: response.headers,
    statusCode: response.status,
    statusMessage: response.statusText,
  } satisfies FullResponse;
}

const credentialType = new AlibabaCloudMqttApi();
const EXPIRABLE = credentialType.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable)!.name;

/** `cancelSignal`: the execution's (n8n sets it on every request of httpRequestWithAuthentication). */
export function n8nHelpers(store: CredentialStore, node: INode, cancelSignal?: () => AbortSignal | undefined) {
  const preAuthentication = async (data: ICredentialDataDecryptedObject, expired: boolean) => {
    if (data[EXPIRABLE] !== '' && !expired) return undefined;
    const output = await credentialType.preAuthentication.call({ helpers: { httpRequest: n8nHttpRequest } }, data);
    if (output[EXPIRABLE] === undefined) return undefined;
    store.preAuthentications++;
    store.data = { ...store.data, ...(output as ICredentialDataDecryptedObject) };
    return Object.assign(data, output);
  };
  return {
    httpRequest: n8nHttpRequest,
    /** As n8n's default (in-memory) binary mode: the data as Base64 with its name, type and size. */
    prepareBinaryData(data: Buffer, fileName?: string, mimeType?: string) {
      const extension = fileName?.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1) : undefined;
      return Promise.resolve({
        data: data.toString('base64'),
        mimeType: mimeType ?? 'application/octet-stream',
        ...(fileName ? { fileName } : {}),
        ...(extension ? { fileExtension: extension } : {}),
        fileSize: `${data.length} B`,
      });
    },
    async httpRequestWithAuthentication(
      _type: string,
      requestOptions: IHttpRequestOptions,
      additional?: { credentialsDecrypted?: { data?: ICredentialDataDecryptedObject } },
    ): Promise<unknown> {
      const signal = cancelSignal?.();
      if (signal) requestOptions = { ...requestOptions, abortSignal: signal };
      const data = additional?.credentialsDecrypted?.data ?? { ...store.data };
      try {
        await preAuthentication(data, false);
        return await n8nHttpRequest(await credentialType.authenticate(data, requestOptions));
      } catch (error) {
        if ((error as AxiosError).response?.status === 401) {
          try {
            await preAuthentication(data, true);
            return await n8nHttpRequest(await credentialType.authenticate(data, requestOptions));
          } catch (again) {
            throw new NodeApiError(node, again as JsonObject);
          }
        }
        throw new NodeApiError(node, error as JsonObject);
      }
    },
  };
}

/**
 * The context n8n gives a credential test (ICredentialTestFunctions): its `helpers.request` is the
 * legacy request API that n8n runs on axios (proxyRequestToAxios): `uri`, `resolveWithFullResponse`,
 * and `simple: false` for "do not throw on an HTTP error status".
 */
export function credentialTestContext() {
  const request = async (uriOrObject: string | Record<string, unknown>): Promise<unknown> => {
    const o = (typeof uriOrObject === 'string' ? { uri: uriOrObject } : uriOrObject) as {
      uri: string;
      method?: string;
      headers?: Record<string, string>;
      body?: unknown;
      timeout?: number;
      resolveWithFullResponse?: boolean;
      simple?: boolean;
    };
    const response = await axios.request<unknown>({
      url: o.uri,
      method: o.method ?? 'GET',
      headers: o.headers ?? {},
      timeout: o.timeout,
      ...(o.body !== undefined ? { data: o.body } : {}),
      ...(o.simple === false ? { validateStatus: () => true } : {}),
    });
    return o.resolveWithFullResponse
      ? {
          body: response.data,
          headers: response.headers,
          statusCode: response.status,
          statusMessage: response.statusText,
        }
      : response.data;
  };
  return { logger: console, helpers: { request } } as unknown as import('n8n-workflow').ICredentialTestFunctions;
}
