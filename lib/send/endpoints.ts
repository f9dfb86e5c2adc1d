import { invalidInput } from '../base/errors';
import { optionalString, requireOneOf } from '../base/validation';

export type Network = 'public' | 'vpc';
export const NETWORKS: readonly Network[] = ['public', 'vpc'];
export const DEFAULT_REGION = 'cn-hangzhou';

/** Regions in the OnsMqtt endpoint table. Any other well-formed region id is accepted too. */
export const DOCUMENTED_REGIONS: readonly string[] = [
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-guangzhou',
  'cn-chengdu',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-northeast-1',
  'mq-internet-access',
];

// Lower-case words joined by hyphens: admits every real region id and no '/', '.' or '%',
// so a region can never redirect the request to another host or path.
const REGION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface ResolvedEndpoint {
  protocol: 'http' | 'https';
  /** host[:port], as the SDK wants it (IPv6 in brackets). */
  host: string;
  /** For messages and logs: never carries credentials. */
  url: string;
}

export interface EndpointInput {
  regionId?: unknown;
  network?: unknown;
  endpoint?: unknown;
  /** Plain HTTP to a host that is not loopback sends the STS token in clear: only on request. */
  allowInsecureHttp?: boolean;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '') // "localhost." is the same host, written as an absolute DNS name
    .toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** A region id, checked even when a custom endpoint is set (the trace query sends it as MqttRegionId). */
export function requireRegionId(value: unknown): string {
  const regionId = optionalString('regionId', value) ?? DEFAULT_REGION;
  if (!REGION_ID.test(regionId) || regionId.length > 64) {
    throw invalidInput(
      'regionId',
      `"${regionId.slice(0, 64)}" is not a region id; use one such as "cn-hangzhou" or "ap-southeast-1".`,
    );
  }
  return regionId;
}

export function resolveEndpoint(input: EndpointInput): ResolvedEndpoint {
  const regionId = requireRegionId(input.regionId);
  const network = requireOneOf<Network>('network', input.network, NETWORKS, 'public');
  const custom = optionalString('endpoint', input.endpoint);
  if (custom !== undefined) return parseCustomEndpoint(custom, input.allowInsecureHttp === true);
  if (network === 'vpc' && regionId === 'mq-internet-access') {
    throw invalidInput(
      'network',
      'the region "mq-internet-access" has a public endpoint only; choose network "public".',
    );
  }
  const host = `${network === 'vpc' ? 'onsmqtt-vpc' : 'onsmqtt'}.${regionId}.aliyuncs.com`;
  return { protocol: 'https', host, url: `https://${host}` };
}

function parseCustomEndpoint(raw: string, allowInsecureHttp: boolean): ResolvedEndpoint {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput(
      'endpoint',
      `"${raw.slice(0, 80)}" is not a URL; use https://host[:port] (or http://127.0.0.1:port for the emulator).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(
      'endpoint',
      `the scheme "${url.protocol}" is not supported; use https:// (or http:// for a local emulator).`,
    );
  }
  if (url.username || url.password) {
    throw invalidInput(
      'endpoint',
      'must not contain a user name or password; put the AccessKey in the credentials instead.',
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalidInput(
      'endpoint',
      'must be just scheme, host and optional port (no path, query or fragment), e.g. https://onsmqtt.cn-hangzhou.aliyuncs.com.',
    );
  }
  if (!url.hostname) throw invalidInput('endpoint', 'has no host name.');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  if (protocol === 'http' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw invalidInput(
      'endpoint',
      'plain http:// is only accepted for a loopback address (the local emulator); use https:// so that the security token is not sent in clear.',
    );
  }
  return { protocol, host: url.host, url: `${protocol}://${url.host}` };
}
