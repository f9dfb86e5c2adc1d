#!/usr/bin/env bash
# Runs a command while the machine is kept busy the way a shared CI machine is: one process keeps
# one core fully busy at normal priority, another writes to disk continuously (Debian's stress-ng,
# installed here if missing). The load starts before the command and is stopped when it ends,
# however it ends; the command's exit status is this script's.
#
#   bash scripts/ci-under-load.sh                       -> scripts/ci-cold.sh (a cold .ci/run on a fresh clone)
#   bash scripts/ci-under-load.sh CMD [ARGS...]         -> CMD (in the current folder) under the same load, e.g. npm test
#   LOAD_REPEAT=3 bash scripts/ci-under-load.sh npm test -> three runs in a row; stops at the first red
#   LOAD_PROFILE=heavy bash scripts/ci-under-load.sh     -> four CPU hogs and a disk writer (on two cores:
#                                                           a load average of 14-17 under CI, as seen)
#
# Prints the load average and each run's time at the end.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
repeat="${LOAD_REPEAT:-1}"
# A command runs where it is started; the default one is this repository's cold CI run.
[ $# -gt 0 ] || set -- bash "$repo/scripts/ci-cold.sh"

if ! command -v stress-ng >/dev/null 2>&1; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  opts=(-o Acquire::http::Timeout=60 -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600)
  timeout 600 "${sudo[@]}" apt-get update -qq "${opts[@]}"
  timeout 600 "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${opts[@]}" stress-ng
fi

scratch="$(mktemp -d /tmp/alicloud-mqtt-load-XXXXXX)"
# One CPU worker at 100 % of a core, at normal priority; one disk writer (4 MiB writes, fsync'd,
# in a scratch folder). The timeout is a backstop: the trap below stops them when the command ends.
# LOAD_PROFILE=heavy: four CPU workers (twice the cores of a CI machine) and the disk writer.
cpu_workers=1
[ "${LOAD_PROFILE:-}" = heavy ] && cpu_workers=4
setsid stress-ng --cpu "$cpu_workers" --cpu-load 100 --hdd 1 --hdd-bytes 256m --hdd-write-size 4m --temp-path "$scratch" \
  --timeout 4h --quiet >"$scratch/stress.log" 2>&1 </dev/null &
load_pid=$!
stop_load() {
  kill -TERM -- "-$load_pid" 2>/dev/null || true
  sleep 1
  kill -KILL -- "-$load_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap stop_load EXIT
sleep 2
kill -0 "$load_pid" 2>/dev/null || { echo "stress-ng did not start:"; cat "$scratch/stress.log"; exit 1; }
echo "load: stress-ng ($cpu_workers CPU worker(s) at 100 %, 1 disk writer) as process group $load_pid; load average $(cut -d' ' -f1-3 /proc/loadavg)"

times=()
status=0
for (( run = 1; run <= repeat; run++ )); do
  started=$(date +%s)
  echo "load: run $run of $repeat: $*"
  "$@" || status=$?
  times+=("run $run: $(( $(date +%s) - started )) s (exit $status)")
  [ "$status" = 0 ] || break
done
echo "load: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'load: %s\n' "${times[@]}"
exit "$status"
