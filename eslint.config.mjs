import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// The n8n community-node rules without the n8n Cloud-only ones. One more rule is turned off on
// purpose: this package runs Alibaba Cloud's official SDK (@alicloud/openapi-client) at run time,
// which makes it an unverified community package for self-hosted n8n (see README). From
// @n8n/node-cli 0.48 `no-runtime-dependencies` is also in the non-cloud preset; every other
// rule applies.
export default [
  ...configWithoutCloudSupport,
  { rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' } },
  { ignores: ['dist/**', 'emulator/**', 'test/**', 'bench/**', 'lib/**', 'nodes/node-red/**', 'examples/**', 'workflows/**', 'gulpfile.js', 'jest.config.js', 'scripts/**'] },
];
