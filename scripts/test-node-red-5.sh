#!/usr/bin/env bash
# The Node-RED tests again on Node-RED 5 under Node.js 24 (the default run uses Node-RED 4.1 on
# the machine's Node.js 20).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24="$(bash scripts/hosts.sh ensure_node24)"
NODE_RED_PATH="$(bash scripts/hosts.sh ensure_node_red 5.0.7)"
echo "Node-RED $(node -p "require('$NODE_RED_PATH/package.json').version") on Node $("$NODE24" --version)"
NODE_RED_PATH="$NODE_RED_PATH" "$NODE24" node_modules/jest/bin/jest.js test/integration/node-red test/integration/watch test/integration/offline-details "$@"
