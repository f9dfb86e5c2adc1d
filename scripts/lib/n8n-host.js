'use strict';
/**
 * A real n8n for the end-to-end tests: this package from its `npm pack` tarball installed with
 * its production dependencies into <user folder>/.n8n/nodes, credentials and workflows imported
 * with n8n's CLI, workflows run with `n8n execute`, or the server started for polling triggers.
 */
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./node-red-host');

function run(file, args, options) {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** npm install of `tarballs` into an n8n user folder's nodes directory, as the README says to install them. */
async function installInto(nodesDir, nodeBinary, tarballs) {
  const pathEnv = `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH}`;
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', '--loglevel=error', ...tarballs],
    { cwd: nodesDir, env: { ...process.env, PATH: pathEnv } },
  );
  if (install.code !== 0) throw new Error(`Installing ${tarballs.join(', ')} into n8n failed: ${install.stderr}`);
}

/** `tarball`: one package's tarball, or several installed side by side (the n8n package and its extras). */
async function createN8n({ n8nBin, nodeBinary, tarball }) {
  const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'alicloud-mqtt-n8n-'));
  const nodesDir = path.join(userFolder, '.n8n', 'nodes');
  fs.mkdirSync(nodesDir, { recursive: true });
  fs.writeFileSync(
    path.join(nodesDir, 'package.json'),
    JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }),
  );
  const pathEnv = `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH}`;
  await installInto(nodesDir, nodeBinary, [tarball].flat());
  const brokerPort = await freePort();
  const env = {
    ...process.env,
    // Under a test runner NODE_ENV is "test", which n8n treats as its own test mode (no logs).
    NODE_ENV: 'production',
    JEST_WORKER_ID: undefined,
    PATH: pathEnv,
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: 'alicloud-mqtt-e2e-encryption-key',
    DB_TYPE: 'sqlite',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_EXPRESSION_ENGINE: 'legacy',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_LOG_LEVEL: 'info',
    N8N_LOG_FORMAT: 'json',
    N8N_SECURE_COOKIE: 'false',
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
  };
  const cli = (args) => run(nodeBinary, [n8nBin, ...args], { env, cwd: userFolder });
  const writeJson = (name, value) => {
    const file = path.join(userFolder, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  return {
    userFolder,
    env,
    /** Installs more packages beside those installed (n8n loads them when it next starts). */
    async install(tarballs) {
      await installInto(nodesDir, nodeBinary, [tarballs].flat());
    },
    async importCredentials(credentials) {
      const r = await cli(['import:credentials', '--input', writeJson('credentials.json', credentials)]);
      if (r.code !== 0) throw new Error(`import:credentials failed: ${r.stdout}\n${r.stderr}`);
    },
    async importWorkflows(workflows) {
      for (const wf of workflows) {
        const r = await cli(['import:workflow', '--input', writeJson(`wf-${wf.id}.json`, wf)]);
        if (r.code !== 0) throw new Error(`import:workflow failed: ${r.stdout}\n${r.stderr}`);
      }
    },
    /** Make a workflow active: `publish:workflow` on n8n 2.x, `update:workflow --active=true` on 1.x. */
    async activate(id) {
      const published = await cli(['publish:workflow', `--id=${id}`]);
      if (published.code === 0 && !/not found|Error/i.test(published.stderr)) return;
      const updated = await cli(['update:workflow', `--id=${id}`, '--active=true']);
      if (updated.code !== 0)
        throw new Error(
          `Could not activate ${id}: ${published.stdout}${published.stderr}${updated.stdout}${updated.stderr}`,
        );
    },
    /** `n8n execute --id`; resolves with the run data ({ runData, error }) and the raw output. */
    async execute(id) {
      const r = await cli(['execute', '--id', id, '--rawOutput']);
      const text = `${r.stdout}\n${r.stderr}`;
      let result;
      for (const line of text.split('\n')) {
        let record;
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        const message = typeof record.message === 'string' ? record.message : undefined;
        if (!message) continue;
        try {
          const parsed = JSON.parse(message);
          if (parsed && parsed.data && parsed.data.resultData) result = parsed;
        } catch {
          /* a plain log line */
        }
      }
      if (!result) throw new Error(`No run data in the output of n8n execute (exit ${r.code}):\n${text.slice(-3000)}`);
      return { code: r.code, run: result, text };
    },
    /**
     * `n8n start` (for active, polling workflows), or with `command: 'worker'` a queue-mode worker
     * (its health server is the readiness check); resolves once it answers. `extraEnv` adds to the
     * environment (queue mode's settings); every process gets its own task-runner broker port.
     */
    async start({ command = 'start', args = [], extraEnv = {} } = {}) {
      const port = await freePort();
      const portEnv =
        command === 'worker'
          ? {
              QUEUE_HEALTH_CHECK_ACTIVE: 'true',
              QUEUE_HEALTH_CHECK_PORT: String(port),
              N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
              N8N_RUNNERS_BROKER_PORT: String(await freePort()),
            }
          : {
              N8N_PORT: String(port),
              ...(Object.keys(extraEnv).length ? { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } : {}),
            };
      const child = spawn(nodeBinary, [n8nBin, command, ...args], {
        env: { ...env, ...extraEnv, ...portEnv },
        cwd: userFolder,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs = [];
      child.stdout.on('data', (c) => logs.push(c.toString()));
      child.stderr.on('data', (c) => logs.push(c.toString()));
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`n8n exited early:\n${logs.join('').slice(-3000)}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`);
          // A main process answers /healthz (and any other path with "n8n is starting up") before
          // its REST API and webhooks are up; its settings as JSON say it has started.
          if (res.ok && command === 'worker') break;
          if (res.ok) {
            const settings = await fetch(`http://127.0.0.1:${port}/rest/settings`);
            if (settings.ok && (settings.headers.get('content-type') || '').includes('json')) break;
          }
        } catch {
          /* not yet */
        }
        if (Date.now() > deadline) throw new Error(`n8n did not start:\n${logs.join('').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      return {
        logs,
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      };
    },
    cli,
    cleanup() {
      fs.rmSync(userFolder, { recursive: true, force: true });
    },
  };
}

module.exports = { createN8n };
