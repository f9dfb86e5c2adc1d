import js from '@eslint/js';
import { config as n8nCloudConfig, configWithoutCloudSupport as n8nConfig } from '@n8n/node-cli/eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * One configuration for the whole source, read by `n8n-node lint` and by `eslint` alike.
 *
 * - The n8n node and credential files get n8n's community-node rules with n8n Cloud's (the
 *   `strict` preset n8n verifies with: no runtime dependency, no Node module but `crypto`, no timer
 *   or `process`), nothing turned off. The same rules run on the shipped tarball in `npm test`
 *   (scripts/n8n-scan.mjs, n8n's own scanner).
 * - Everything else in TypeScript (the core, the Node-RED nodes, the extras package, the emulator,
 *   benchmarks, tests) gets typescript-eslint's recommended type-aware rules; the JavaScript scripts
 *   get ESLint's recommended rules.
 */
/**
 * The rooms of lib/ (docs/architecture.md) and the rooms each may import: the ones below it. A
 * room never imports one above it or beside it, so there is no path back and no circle; the
 * public entry (lib/index.ts) may import any room. `@alicloud/*` (the SDKs) is imported by the
 * three adapters only.
 */
const ROOMS = {
  base: [],
  credentials: ['base'],
  proxy: ['base'],
  send: ['base', 'credentials', 'proxy'],
  'shared-limit': ['base', 'send'],
  actions: ['base', 'send'],
  push: ['base'],
  client: ['base', 'credentials', 'proxy', 'send', 'shared-limit', 'actions'],
  watch: ['base', 'shared-limit', 'actions', 'client', 'push'],
  host: ['base', 'credentials', 'proxy', 'send', 'shared-limit', 'actions', 'client', 'watch', 'push'],
};
const SDK_ADAPTERS = ['lib/send/transport.ts', 'lib/credentials/sources.ts', 'lib/proxy/route.ts'];
const sdkImports = {
  group: ['@alicloud/*'],
  message:
    'Only the SDK adapters (lib/send/transport.ts, lib/credentials/sources.ts, lib/proxy/route.ts) import the Alibaba SDKs.',
};
function roomRules(room, allowed, withSdk) {
  const above = Object.keys(ROOMS).filter((other) => other !== room && !allowed.includes(other));
  const patterns = [
    {
      regex: '^\\.\\.(/index)?$',
      message: `lib/${room} may not import the public entry (lib/index.ts): import the module itself.`,
    },
    ...above.map((other) => ({
      regex: `^\\.\\./${other}(/|$)`,
      message: `lib/${room} may import only ${allowed.length ? allowed.map((r) => `lib/${r}`).join(', ') : 'its own modules'} (docs/architecture.md, "Rooms").`,
    })),
    ...(withSdk ? [] : [sdkImports]),
  ];
  return { 'no-restricted-imports': ['error', { patterns }] };
}
const roomConfigs = Object.entries(ROOMS).flatMap(([room, allowed]) => [
  { files: [`lib/${room}/**/*.ts`], ignores: SDK_ADAPTERS, rules: roomRules(room, allowed, false) },
  ...SDK_ADAPTERS.filter((file) => file.startsWith(`lib/${room}/`)).map((file) => ({
    files: [file],
    rules: roomRules(room, allowed, true),
  })),
]);
/**
 * The hosts reach the core through an entry, never a room inside it: the verifiable n8n package's
 * nodes and credential through lib/portable (what n8n's verification allows: no Node I/O, no
 * library), the full package's (Node-RED, the n8n extras package) through lib/internal.
 */
const hostImports = (entry, why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: `^(\\.\\./)+lib(/(?!${entry}$).*)?$`,
          message: `${why} imports the core from lib/${entry}, never another entry or a room inside it.`,
        },
        sdkImports,
      ],
    },
  ],
});
const N8N_VERIFIABLE = [
  'nodes/AlibabaCloudMqtt/**/*.ts',
  'nodes/AlibabaCloudMqttTrigger/**/*.ts',
  'nodes/n8n-common/**/*.ts',
  'credentials/**/*.ts',
];

const N8N_ELSEWHERE = [
  'lib/**',
  'nodes/node-red/**',
  'packages/**',
  'emulator/**',
  'bench/**',
  'scripts/**',
  'test/**',
];
/**
 * The extras package (packages/n8n-extras, a package root of its own): n8n's community-node rules
 * without n8n Cloud's (it has runtime dependencies by design), on its files.
 */
const inExtras = (pattern) => `packages/n8n-extras/${pattern.replace(/^\.\//, '')}`;
const TYPED = ['lib/**/*.ts', 'nodes/node-red/**/*.ts', 'emulator/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'];

export default [
  {
    ignores: [
      'dist/**',
      'resources/**',
      'node_modules/**',
      'examples/**',
      'workflows/**',
      'coverage/**',
      '.e2e/**',
      '.n8n-lint/**',
      'packages/*/dist/**',
      'packages/node-red/resources/**',
      'packages/node-red/examples/**',
    ],
  },
  ...n8nCloudConfig.map((config) =>
    config.files ? { ...config, ignores: [...(config.ignores ?? []), ...N8N_ELSEWHERE] } : config,
  ),
  ...n8nConfig.filter((config) => config.files).map((config) => ({ ...config, files: config.files.map(inExtras) })),
  {
    // The one rule the extras package cannot meet, by design: it exists for what needs libraries
    // (AMQP, Redis, Alibaba's SDK and credential providers). The verifiable package turns nothing off.
    files: ['packages/n8n-extras/package.json'],
    rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
  },
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TYPED })),
  {
    files: TYPED,
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused arguments named with a leading underscore are part of a callback's signature.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `import node = require(...)` is how TypeScript imports the Node-RED modules (`export =`).
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // `const node = this` is Node-RED's own idiom for a node's constructor and its handlers.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  // The rooms of lib/: no import upward or sideways, no circle (also through `import type`).
  {
    files: ['lib/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts'], 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] } },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...roomConfigs,
  {
    files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'packages/**/*.ts'],
    rules: hostImports('internal', 'The full package'),
  },
  { files: N8N_VERIFIABLE, rules: hostImports('portable', 'The verifiable n8n package') },
  {
    // Tests read messages from Node-RED's untyped test helper and parse JSON answers: the
    // no-unsafe-* rules would ask for a cast on every line without catching anything.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Stand-ins (fake clocks, stores, n8n contexts) implement async interfaces without awaiting.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['scripts/**/*.js', 'gulpfile.js', 'jest.config.js', 'jest.e2e.config.js', 'test/**/*.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    // The Node-RED editor's shared script runs in the browser, beside Node-RED's jQuery.
    files: ['nodes/node-red/editor/*.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, $: 'readonly' } },
  },
];
