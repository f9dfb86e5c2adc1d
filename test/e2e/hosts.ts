import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const hosts = (...args: string[]) =>
  execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();

export const node24 = () => hosts('ensure_node24');
export const nodeRed5Dir = () => hosts('ensure_node_red', '5.0.7');
export const nodeRed4Dir = () => dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
export const n8nBin = (version: string, nodeBinary: string) => hosts('ensure_n8n', version, nodeBinary);

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const nodeRedHost = require('../../scripts/lib/node-red-host.js') as {
  startNodeRed(o: {
    tarball: string;
    nodeRedDir?: string;
    nodeBinary?: string;
    port?: number;
    userDir?: string;
    extraPackages?: string[];
    extraEnv?: Record<string, string>;
    onLog?: (l: string) => void;
  }): Promise<NodeRedHost>;
  /** 'node-red' (default), 'n8n' (the verifiable package, the repository root) or 'n8n-extras'. */
  packTarball(which?: 'node-red' | 'n8n' | 'n8n-extras'): string;
};

export interface NodeRedHost {
  url: string;
  userDir: string;
  version: string;
  logs: string[];
  nodeRedDir: string;
  nodeBinary: string;
  deploy(flows: unknown[]): Promise<void>;
  flows(): Promise<unknown>;
  inject(id: string): Promise<void>;
  nodes(): Promise<
    Array<{
      id: string;
      module: string;
      version: string;
      types: string[];
      enabled: boolean;
      loaded: boolean;
      err?: string;
    }>
  >;
  stop(): Promise<void>;
  cleanup(): void;
  child: import('node:child_process').ChildProcess;
}

/** A real n8n (scripts/lib/n8n-host.js): the package installed from its tarball, n8n's CLI, `n8n start` or a worker. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const n8nHost = require('../../scripts/lib/n8n-host.js') as {
  createN8n(o: { n8nBin: string; nodeBinary: string; tarball: string | string[] }): Promise<N8nHost>;
};

/**
 * One node's output items, as `n8n execute` reports them (n8n's run data, read loosely); an item's
 * binary is its metadata, the data itself stored apart.
 */
export type N8nRunData = Record<
  string,
  Array<{
    data?: {
      main: Array<Array<{
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- n8n's item JSON, read loosely
        json: Record<string, any>;
        binary?: Record<string, { mimeType: string; fileName?: string }>;
      }> | null>;
    };
  }>
>;

export interface N8nProcess {
  logs: string[];
  url: string;
  stop(): Promise<void>;
}

export interface N8nHost {
  userFolder: string;
  env: Record<string, string | undefined>;
  /** Installs more packages beside those installed; n8n loads them when it next starts. */
  install(tarballs: string | string[]): Promise<void>;
  importCredentials(c: unknown[]): Promise<void>;
  importWorkflows(w: unknown[]): Promise<void>;
  /** `publish:workflow` on n8n 2.x, `update:workflow --active=true` on 1.x. */
  activate(id: string): Promise<void>;
  /** `n8n execute --id`: the run data and the raw output. */
  execute(id: string): Promise<{
    code: number;
    run: { data: { resultData: { runData: N8nRunData; error?: { message: string; description?: string } } } };
    text: string;
  }>;
  /** `n8n start`, or with `command: 'worker'` a queue-mode worker. */
  start(o?: { command?: string; args?: string[]; extraEnv?: Record<string, string> }): Promise<N8nProcess>;
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): void;
}
