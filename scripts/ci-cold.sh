#!/usr/bin/env bash
# Measures .ci/run as a cold machine would run it: a fresh clone of HEAD, and HOME, the npm cache
# and the host cache pointed at empty folders, so that every package comes from the registry.
# (Debian's chromium is the one thing it cannot make cold: `apt-get remove chromium` first for that.)
#   bash scripts/ci-cold.sh [WORK_DIR]   -> the timings, and the full log in WORK_DIR/ci.log
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/alicloud-mqtt-cold-XXXXXX)}"
mkdir -p "$work/home" "$work/npm-cache" "$work/hosts"
git clone -q "$repo" "$work/clone"
echo "cold CI run in $work (log: $work/ci.log)"
start=$(date +%s)
status=0
(
  cd "$work/clone"
  HOME="$work/home" npm_config_cache="$work/npm-cache" ALICLOUD_MQTT_HOST_CACHE="$work/hosts" CI=true \
    bash .ci/run
) > "$work/ci.log" 2>&1 < /dev/null || status=$?
echo "exit $status after $(( $(date +%s) - start )) s"
grep -E '^(hosts:|npm ci done|unit and integration|test hosts ready|CI done|Tests:)' "$work/ci.log" || true
exit "$status"
