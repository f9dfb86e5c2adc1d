'use strict';
// See package.json: loading this means something started n8n's "vm" expression engine here.
throw new Error(
  "isolated-vm is not installed in this repository (a devDependency in package.json): n8n's 'vm' expression engine is not used by its tools or tests. Use the 'legacy' engine (N8N_EXPRESSION_ENGINE=legacy).",
);
