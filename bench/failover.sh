#!/usr/bin/env bash
# Ferry failover benchmarks (issue 4): RTO of test failover, planned failover and commit for a
# small and a large machine, side by side with copy-first (materialize the point, then boot).
# A real vault and two agent JVMs in network namespaces, TCG lab VMs
# (e2e/src/test/java/io/ferry/e2e/bench/FailoverBench.java). Measured, never asserted. As root:
#   bash bench/failover.sh
# Environment (optional): BENCH_LARGE_DISK_GIB=8  BENCH_LARGE_DATA_MIB=2048
#   BENCH_OUT=/var/tmp/ferry-bench/failover  BENCH_BUILD=0 skips the build.
# About 5 minutes on 2 cores with the defaults; needs ~2× the large data free in /var/tmp and
# /var/lib/libvirt/images.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-/var/tmp/ferry-bench/failover}
. "$ROOT/scripts/java-home.sh"
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (libvirt domains, network namespaces)"
bash "$ROOT/scripts/install-deps.sh" >/dev/null || die "the packages or libvirt are not available"
mkdir -p "$OUT"
TS=$(date -u +%Y%m%d-%H%M%S)
RUNLOG="$OUT/run-$TS.log"
if [ "${BENCH_BUILD:-1}" != 0 ]; then
  log "building ferry"
  (cd "$ROOT" && ./mvnw -q install -DskipTests -Dferry.skipVmTests=true) >"$OUT/build-$TS.log" 2>&1 \
    || { tail -30 "$OUT/build-$TS.log" >&2; die "build failed (log: $OUT/build-$TS.log)"; }
fi
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT="$COMMIT+local changes"; fi
PROPS=(-Dferry.bench=true -Dsurefire.failIfNoSpecifiedTests=false "-Dferry.bench.out=$OUT" "-Dferry.bench.commit=$COMMIT"
       "-Dferry.bench.largeDiskGiB=${BENCH_LARGE_DISK_GIB:-8}" "-Dferry.bench.largeDataMiB=${BENCH_LARGE_DATA_MIB:-2048}")
log "running FailoverBench (log: $RUNLOG)"
set +e
(cd "$ROOT" && ./mvnw -o -pl e2e test -Dtest=FailoverBench "${PROPS[@]}") >"$RUNLOG" 2>&1
RC=$?
set -e
RESULTS=$(grep -o '^results: .*' "$RUNLOG" | tail -1 | cut -d' ' -f2-)
echo "Command: bash bench/failover.sh   (Maven: ./mvnw -o -pl e2e test -Dtest=FailoverBench ${PROPS[*]})"
if [ -n "$RESULTS" ] && [ -f "$RESULTS" ]; then cat "$RESULTS"; else tail -40 "$RUNLOG"; fi
exit $RC
