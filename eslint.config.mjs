import js from '@eslint/js';
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * One configuration for the whole source, read by `n8n-node lint` and by `eslint` alike.
 *
 * - The n8n node and credential files get n8n's community-node rules, without the n8n Cloud-only
 *   ones. One more rule is off on purpose: this package runs Alibaba Cloud's official SDK
 *   (@alicloud/openapi-client) at run time, which makes it an unverified community package for
 *   self-hosted n8n (see README). From @n8n/node-cli 0.48 `no-runtime-dependencies` is also in
 *   the non-cloud preset; every other rule applies.
 * - Everything else in TypeScript (the core, the Node-RED nodes, the emulator, benchmarks, tests)
 *   gets typescript-eslint's recommended type-aware rules; the JavaScript scripts get ESLint's
 *   recommended rules.
 */
const N8N_ELSEWHERE = ['lib/**', 'nodes/node-red/**', 'emulator/**', 'bench/**', 'scripts/**', 'test/**'];
const TYPED = ['lib/**/*.ts', 'nodes/node-red/**/*.ts', 'emulator/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'workflows/**', 'coverage/**', '.e2e/**'] },
  ...configWithoutCloudSupport.map((config) => (config.files ? { ...config, ignores: [...(config.ignores ?? []), ...N8N_ELSEWHERE] } : config)),
  { rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' } },
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TYPED })),
  {
    files: TYPED,
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused arguments named with a leading underscore are part of a callback's signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `import node = require(...)` is how TypeScript imports the Node-RED modules (`export =`).
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // `const node = this` is Node-RED's own idiom for a node's constructor and its handlers.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
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
];
