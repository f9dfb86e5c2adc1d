'use strict';
/**
 * A real Node-RED for the demo and the end-to-end tests: this package installed from its
 * `npm pack` tarball into a fresh user directory (as the palette manager does), Node-RED started
 * as its own process on 127.0.0.1, flows deployed through the admin HTTP API.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => (preferred ? freePort(0).then(resolve) : resolve(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Folders of packed tarballs, removed when the process that packed them exits (tests and the demo
 * pack one each run; without this /tmp kept one folder per run). */
const packedDirs = [];
process.once('exit', () => {
  for (const dir of packedDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** `npm pack` of the built tree into a temporary folder; returns the tarball path. */
/**
 * `npm pack` of one of the repository's packages, from the last build (docs/packages.md): 'node-red'
 * (packages/node-red, what this file's Node-RED runs), 'n8n' (the root: the verifiable n8n package)
 * or 'n8n-extras' (packages/n8n-extras).
 */
const PACKAGE_DIRS = { 'node-red': 'packages/node-red', n8n: '.', 'n8n-extras': 'packages/n8n-extras' };
function packTarball(which = 'node-red') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alicloud-mqtt-tarball-'));
  packedDirs.push(dir);
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    cwd: path.join(ROOT, PACKAGE_DIRS[which]),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.tgz')),
  );
}

/** The Node-RED package to run: Node-RED 5 on Node >= 22.9 (cached install), else the dev dependency 4.1. */
function defaultNodeRedDir() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 9)) {
    return execFileSync('bash', [path.join(ROOT, 'scripts/hosts.sh'), 'ensure_node_red', '5.0.7'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }
  return path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
}

async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`Node-RED exited with code ${child.exitCode} before it answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`No answer from ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * @param {object} o
 * @param {string} [o.nodeRedDir] folder of the node-red package
 * @param {string} [o.nodeBinary] Node.js to run it with
 * @param {string} o.tarball this package, packed
 * @param {string[]} [o.extraPackages] palette packages to install beside it (e.g. a dashboard an example uses)
 * @param {Record<string, string>} [o.extraEnv] environment of the Node-RED process only (not of the install)
 * @param {number} [o.port] 0 for any free port
 * @param {(line: string) => void} [o.onLog]
 */
async function startNodeRed(o) {
  const nodeRedDir = o.nodeRedDir || defaultNodeRedDir();
  const nodeBinary = o.nodeBinary || process.execPath;
  // A given userDir is a restart: same flows, credentials and context, package already installed.
  const userDir = o.userDir || fs.mkdtempSync(path.join(os.tmpdir(), 'alicloud-mqtt-node-red-'));
  if (!o.userDir) {
    fs.writeFileSync(
      path.join(userDir, 'package.json'),
      JSON.stringify({ name: 'node-red-project', private: true, dependencies: {} }),
    );
    // As the palette manager does: npm install of the package into the user directory.
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error', o.tarball, ...(o.extraPackages || [])],
      {
        cwd: userDir,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PATH: `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH}` },
      },
    );
  }
  const port = await freePort(o.port || 0);
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    settingsFile,
    `module.exports = ${JSON.stringify(
      {
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: 'alicloud-mqtt-local-demo',
        contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 1 } } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
        diagnostics: { enabled: false, ui: false },
        telemetry: { enabled: false },
        runtimeState: { enabled: false },
        editorTheme: { tours: false, projects: { enabled: false } },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
      },
      null,
      2,
    )};\n`,
  );
  const logs = [];
  const child = spawn(
    nodeBinary,
    [path.join(nodeRedDir, 'red.js'), '--userDir', userDir, '--settings', settingsFile, '--port', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(o.extraEnv || {}), NODE_RED_ENABLE_PROJECTS: 'false' },
    },
  );
  const onData = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      logs.push(line);
      if (o.onLog) o.onLog(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/flows`, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${logs.slice(-30).join('\n')}`);
  }
  const version = JSON.parse(fs.readFileSync(path.join(nodeRedDir, 'package.json'), 'utf8')).version;

  return {
    url,
    port,
    userDir,
    version,
    logs,
    /** Full deploy; resolves when the runtime reports the flows started. */
    async deploy(flows) {
      const res = await fetch(`${url}/flows`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Node-RED-Deployment-Type': 'full',
          'Node-RED-API-Version': 'v1',
        },
        body: JSON.stringify(flows),
      });
      if (!res.ok) throw new Error(`Deploy failed: HTTP ${res.status} ${await res.text()}`);
    },
    async flows() {
      return (await fetch(`${url}/flows`)).json();
    },
    /** Press an inject node's button (retried briefly: a fresh deploy may still be starting). */
    async inject(id) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const res = await fetch(`${url}/inject/${id}`, { method: 'POST' });
        if (res.ok) return;
        if (res.status !== 404 || Date.now() > deadline)
          throw new Error(`Inject ${id} failed: HTTP ${res.status} ${await res.text()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async nodes() {
      return (await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } })).json();
    },
    stop() {
      return new Promise((resolve) => {
        // Ended already (exited, or killed by a signal: then exitCode stays null).
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGINT');
      });
    },
    /** Remove the temporary user directory (after stop). */
    cleanup() {
      fs.rmSync(userDir, { recursive: true, force: true });
    },
    child,
    nodeRedDir,
    nodeBinary,
  };
}

module.exports = { startNodeRed, packTarball, freePort, defaultNodeRedDir, ROOT };
