import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const hosts = (...args: string[]) =>
  execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

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
  packTarball(): string;
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
  nodes(): Promise<Array<{ id: string; module: string; version: string; types: string[]; enabled: boolean; loaded: boolean; err?: string }>>;
  stop(): Promise<void>;
  cleanup(): void;
  child: import('node:child_process').ChildProcess;
}
