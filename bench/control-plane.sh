#!/usr/bin/env bash
# Ferry control-plane benchmarks (issue 3): RPO under guest churn, idle machines per agent, vault
# API latency. A real vault and two agent JVMs in network namespaces protect TCG lab VMs
# (e2e/src/test/java/io/ferry/e2e/bench/ControlPlaneBench.java). Not part of the tests; the
# figures are measured, never asserted. Run as root:   bash bench/control-plane.sh
#
# Environment (all optional): BENCH_PARTS=rpo,scale,api  BENCH_RATES=5,20,50 (MB/s of guest writes)
#   BENCH_RPO_WINDOW=90  BENCH_COUNTS=1,4,8  BENCH_SCALE_WINDOW=60  BENCH_MEMORY=96 (MiB per idle VM)
#   BENCH_CLIENTS=1,8,32  BENCH_API_SECONDS=15  BENCH_OUT=/var/tmp/ferry-bench/control-plane
#   BENCH_BUILD=0 skips the build (uses what ~/.m2 and e2e/target hold).
# About 14 minutes on 2 cores with the defaults; needs ~10 GB free in /var/tmp and in
# /var/lib/libvirt/images (sparse disks; the 50 MB/s run writes what the guest manages to write).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-/var/tmp/ferry-bench/control-plane}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (libvirt domains, network namespaces)"
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
  log "starting libvirt (scripts/install-deps.sh)"
  bash "$ROOT/scripts/install-deps.sh" >/dev/null || die "libvirt is not available"
fi
mkdir -p "$OUT"
TS=$(date -u +%Y%m%d-%H%M%S)
RUNLOG="$OUT/run-$TS.log"
T0=$(date +%s)
log "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_BUILD:-1}" != 0 ]; then
  log "building ferry (./mvnw -q -o install -DskipTests -Dferry.skipVmTests=true)"
  (cd "$ROOT" && ./mvnw -q -o install -DskipTests -Dferry.skipVmTests=true) >"$OUT/build-$TS.log" 2>&1 \
    || { tail -30 "$OUT/build-$TS.log" >&2; die "build failed (log: $OUT/build-$TS.log)"; }
fi
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT="$COMMIT+local changes"; fi

PROPS=(-Dferry.bench=true -Dsurefire.failIfNoSpecifiedTests=false "-Dferry.bench.out=$OUT" "-Dferry.bench.commit=$COMMIT")
[ -n "${BENCH_PARTS:-}" ] && PROPS+=("-Dferry.bench.parts=$BENCH_PARTS")
[ -n "${BENCH_RATES:-}" ] && PROPS+=("-Dferry.bench.rates=$BENCH_RATES")
[ -n "${BENCH_RPO_WINDOW:-}" ] && PROPS+=("-Dferry.bench.rpoWindow=$BENCH_RPO_WINDOW")
[ -n "${BENCH_COUNTS:-}" ] && PROPS+=("-Dferry.bench.counts=$BENCH_COUNTS")
[ -n "${BENCH_SCALE_WINDOW:-}" ] && PROPS+=("-Dferry.bench.scaleWindow=$BENCH_SCALE_WINDOW")
[ -n "${BENCH_MEMORY:-}" ] && PROPS+=("-Dferry.bench.memory=$BENCH_MEMORY")
[ -n "${BENCH_CLIENTS:-}" ] && PROPS+=("-Dferry.bench.clients=$BENCH_CLIENTS")
[ -n "${BENCH_API_SECONDS:-}" ] && PROPS+=("-Dferry.bench.apiSeconds=$BENCH_API_SECONDS")

log "running ControlPlaneBench (log: $RUNLOG)"
set +e
(cd "$ROOT" && ./mvnw -o -pl e2e test -Dtest=ControlPlaneBench "${PROPS[@]}") >"$RUNLOG" 2>&1
RC=$?
set -e
RESULTS=$(grep -o '^results: .*' "$RUNLOG" | tail -1 | cut -d' ' -f2-)
log "done in $(( $(date +%s) - T0 )) s (exit $RC); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Command: bash bench/control-plane.sh   (Maven: ./mvnw -o -pl e2e test -Dtest=ControlPlaneBench ${PROPS[*]})"
if [ -n "$RESULTS" ] && [ -f "$RESULTS" ]; then
  cat "$RESULTS"
  echo
  echo "Results: $RESULTS (also $OUT/latest.md); full log: $RUNLOG"
else
  tail -40 "$RUNLOG"
  echo "No results file; see the log: $RUNLOG"
fi
exit $RC
