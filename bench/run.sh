#!/usr/bin/env bash
# Ferry benchmark: Ferry side by side with restic, virtnbdbackup and nbdcopy, in one run,
# on the same data. Not part of the tests. Run as root:   bash bench/run.sh
#
# Environment:
#   FERRY_BENCH_DIR  work and cache directory (default /var/tmp/ferry-bench; ~25 GB peak)
#   FERRY            the ferry command (default: bin/ferry of this checkout; built if its jar is missing)
#   BENCH_REPEAT=N   attempts per stateless measurement, the fastest is reported (default 3)
#   BENCH_KEEP=1     keep the run's repositories in $FERRY_BENCH_DIR/run (default: only logs are kept)
#   BENCH_VERIFY=0   skip the (untimed) qemu-img compare of restored images against the source
#
# Prints one table per section and a summary; the Markdown is also written to
# $FERRY_BENCH_DIR/results.md (docs/benchmarks.md holds the results of a run).
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BENCH_DIR="${FERRY_BENCH_DIR:-/var/tmp/ferry-bench}"
DATA="$BENCH_DIR/data"
WORK="$BENCH_DIR/run"
VMDIR=/var/lib/libvirt/images/ferry-bench
SOCKDIR=/var/lib/libvirt/qemu/ferry-bench
FERRY="${FERRY:-$ROOT/bin/ferry}"
VERIFY="${BENCH_VERIFY:-1}"
REPEAT="${BENCH_REPEAT:-3}"
RESULTS="$WORK/results.jsonl"
PY=/usr/bin/python3
R() { "$PY" "$HERE/report.py" "$@"; }
DOM_F=ferry-bench-ferry
DOM_V=ferry-bench-vnb
T0=$(date +%s)

log() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (libvirt domains, qemu-nbd, drop_caches)"

# ---------------------------------------------------------------- prerequisites
need_pkgs=()
command -v restic >/dev/null || need_pkgs+=(restic)
command -v virtnbdbackup >/dev/null || need_pkgs+=(virtnbdbackup)
for c in qemu-img qemu-io qemu-nbd; do command -v $c >/dev/null || need_pkgs+=(qemu-utils); done
command -v nbdcopy >/dev/null || need_pkgs+=(libnbd-bin)
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v zstd >/dev/null || need_pkgs+=(zstd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null \
    || die "apt-get install ${need_pkgs[*]} failed"
fi
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
  log "starting libvirt (scripts/install-deps.sh)"
  bash "$ROOT/scripts/install-deps.sh" >/dev/null || die "libvirt is not available"
fi
export LIBVIRT_DEFAULT_URI=qemu:///system

FERRY_OK=1
if [ "$FERRY" = "$ROOT/bin/ferry" ] && [ ! -f "$ROOT/cli/target/ferry.jar" ]; then
  log "building ferry (./mvnw -q -DskipTests package)"
  (cd "$ROOT" && JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" ./mvnw -q -DskipTests package) >&2 || true
fi
if ! "$FERRY" --version >/dev/null 2>&1; then
  FERRY_OK=0
  log "ferry does not run ($FERRY): its rows are skipped"
fi

# ---------------------------------------------------------------- helpers
# timed OUTFILE cmd...: runs cmd with stdout to OUTFILE.out, stderr to OUTFILE.err; sets WALL and CPU
timed() {
  local out="$1"; shift
  /usr/bin/time -f '%e %U %S' -o "$out.time" "$@" >"$out.out" 2>"$out.err"
  local rc=$?
  read -r WALL CPU < <(R time "$out.time")
  return $rc
}
# CPU seconds (user+sys, all threads) used so far by a process
proc_cpu() {
  local tck; tck=$(getconf CLK_TCK)
  awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / t }' "/proc/$1/stat" 2>/dev/null || echo 0
}
dusb() { du -sb "$1" 2>/dev/null | cut -f1; }
add() { R add "$RESULTS" "$@"; }
settle() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
# every measurement starts from the same memory state: dirty pages flushed, caches dropped,
# then only the inputs of the step read back into the page cache (so tools are compared on
# CPU work, not on this machine's disk)
warm() { local f; for f in "$@"; do if [ -d "$f" ]; then find "$f" -type f -exec cat {} + >/dev/null; else cat "$f" >/dev/null; fi; done; }
fail_note() { echo "failed (exit $1): $(tail -c 300 "$2.err" | tr '\n|' '  ' )"; }
verify() {  # verify IMAGE FMT REFERENCE.raw -> sets VERDICT
  VERDICT=""
  [ "$VERIFY" = 1 ] || return 0
  if qemu-img compare -q -f "$2" -F raw "$1" "$3"; then VERDICT="verified identical"; else VERDICT="DIFFERS from source"; fi
}
# best PREP POST OUT cmd...: $REPEAT attempts of PREP; cmd (timed into OUT.*); POST. Keeps the
# fastest attempt's files and figures (the least disturbed one: the machine may be shared) in
# WALL, CPU and OUT.{out,err,time}; ALL lists every attempt's wall time.
best() {
  local prep="$1" post="$2" out="$3"; shift 3
  local i rc bw="" bc="" all=""
  for ((i = 1; i <= REPEAT; i++)); do
    $prep || { log "preparation for $out failed"; return 1; }
    timed "$out.try" "$@"; rc=$?
    $post
    if [ $rc != 0 ]; then
      for e in out err time; do cp "$out.try.$e" "$out.$e"; done
      return $rc
    fi
    all="$all${all:+ / }$WALL"
    if [ -z "$bw" ] || awk -v a="$WALL" -v b="$bw" 'BEGIN{exit !(a < b)}'; then
      bw=$WALL bc=$CPU
      for e in out err time; do cp "$out.try.$e" "$out.$e"; done
    fi
  done
  WALL=$bw CPU=$bc
  ALL="best of $REPEAT: $all s"
  [ "$REPEAT" = 1 ] && ALL="1 run"
  return 0
}
wait_for_line() {  # wait_for_line FILE TEXT SECONDS
  local i
  for ((i = 0; i < $3 * 10; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

cleanup() {
  for d in $DOM_F $DOM_V; do
    virsh domjobabort $d >/dev/null 2>&1 || true
    virsh destroy $d >/dev/null 2>&1 || true
    for c in $(virsh checkpoint-list $d --name 2>/dev/null); do virsh checkpoint-delete $d "$c" --metadata >/dev/null 2>&1; done
    virsh undefine $d >/dev/null 2>&1 || true
  done
  [ -n "${QNBD_PID:-}" ] && kill "$QNBD_PID" 2>/dev/null
  [ -n "${EXPORT_PID:-}" ] && kill "$EXPORT_PID" 2>/dev/null
  rm -rf "$VMDIR" "$SOCKDIR"
}
trap cleanup EXIT
cleanup

# ---------------------------------------------------------------- data set (cached)
mkdir -p "$DATA"
STAMP=$(sha256sum "$HERE/gen_data.py" | cut -c1-16)
if [ "$(cat "$DATA/stamp" 2>/dev/null)" != "$STAMP" ] || [ ! -f "$DATA/changed.qcow2" ]; then
  log "generating the data set in $DATA (once; cached)"
  rm -f "$DATA"/*
  "$PY" "$HERE/gen_data.py" "$DATA/base.raw" "$DATA/changed.raw" "$DATA/changes.json" "$DATA/text.raw" || die "gen_data.py failed"
  for n in base changed text; do
    qemu-img convert -f raw -O qcow2 "$DATA/$n.raw" "$DATA/$n.qcow2" || die "qemu-img convert $n failed"
  done
  rm -f "$DATA/text.raw"
  echo "$STAMP" >"$DATA/stamp"
fi
DISK=$(qemu-img info --output=json "$DATA/base.qcow2" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')
TEXT_SIZE=$(qemu-img info --output=json "$DATA/text.qcow2" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')
DATA_BYTES=$("$PY" -c 'import json,sys; print(sum(r["length"] for r in json.load(open(sys.argv[1]))["regions"]))' "$DATA/changes.json")

rm -rf "$WORK"; mkdir -p "$WORK" "$VMDIR" "$SOCKDIR"
chown libvirt-qemu "$SOCKDIR" 2>/dev/null || chmod 777 "$SOCKDIR"
: >"$RESULTS"

# ---------------------------------------------------------------- machine
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
FS_DEV=$(df --output=source "$BENCH_DIR" | tail -1)
FS_TYPE=$(df --output=fstype "$BENCH_DIR" | tail -1)
DEVNAME=$(basename "$FS_DEV")
ROTA=$(cat /sys/block/"$DEVNAME"/queue/rotational 2>/dev/null || echo "?")
DSIZE=$(lsblk -dno SIZE "$FS_DEV" 2>/dev/null | tr -d ' ')
SUMMARY="$(nproc) CPUs ($CPU_MODEL), $MEM RAM, kernel $(uname -r), $BENCH_DIR on $FS_DEV ($FS_TYPE, $DSIZE, rotational=$ROTA); $(qemu-img --version | head -1), $(restic version | cut -d' ' -f1-2), virtnbdbackup $(virtnbdbackup --version 2>&1 | tail -1), $(nbdcopy --version | head -1)"
"$PY" -c 'import json,sys; json.dump({"summary": sys.argv[1]}, open(sys.argv[2], "w"))' "$SUMMARY" "$WORK/machine.json"
log "machine: $SUMMARY"

# calibration: single-core zstd -1 (256 KiB blocks) on the compressible data, sha256sum
head -c $((64 << 20)) "$DATA/base.raw" >"$WORK/text.sample"
ZSTD_MBS=$(zstd -b1 -e1 -B256K -i3 "$WORK/text.sample" 2>&1 | tr '\r' '\n' | grep -o '[0-9.]* MB/s' | tail -2 | head -1 | cut -d' ' -f1)
SHA_T=$( { /usr/bin/time -f '%e' sha256sum "$WORK/text.sample" >/dev/null; } 2>&1 | tail -1)
SHA_MBS=$(awk -v t="$SHA_T" 'BEGIN{ if (t > 0) printf "%.0f", 67.108864 / t; else print "?" }')
rm -f "$WORK/text.sample"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
SUMMARY="$SUMMARY. Single core on this data: zstd -1 (256 KiB blocks) ${ZSTD_MBS:-?} MB/s, sha256sum ${SHA_MBS} MB/s"
"$PY" -c 'import json,sys; json.dump({"summary": sys.argv[1]}, open(sys.argv[2], "w"))' "$SUMMARY" "$WORK/machine.json"
log "calibration: zstd -1 ${ZSTD_MBS:-?} MB/s, sha256sum ${SHA_MBS} MB/s (one core)"

echo bench-passphrase >"$WORK/passphrase"
export RESTIC_PASSWORD=bench-passphrase RESTIC_REPOSITORY="$WORK/restic" RESTIC_CACHE_DIR="$WORK/restic-cache"

# ================================================================ 1. full capture
log "1. full capture (best of $REPEAT)"
# raw-copy bound: nbdcopy from qemu-nbd to null: (qemu-nbd without -t exits when nbdcopy disconnects)
prep_nbdcopy() {
  settle; warm "$DATA/base.qcow2"; rm -f "$WORK/qnbd.sock"
  /usr/bin/time -f '%e %U %S' -o "$WORK/qnbd.time" qemu-nbd -r -f qcow2 -k "$WORK/qnbd.sock" "$DATA/base.qcow2" 2>"$WORK/qnbd.err" &
  QNBD_PID=$!
  for _ in $(seq 100); do [ -S "$WORK/qnbd.sock" ] && return 0; sleep 0.05; done
  return 1
}
post_nbdcopy() {  # adds qemu-nbd's CPU to the attempt's
  wait "$QNBD_PID" 2>/dev/null; QNBD_PID=
  local qc; read -r _ qc < <(R time "$WORK/qnbd.time")
  CPU=$(awk -v a="$CPU" -v b="$qc" 'BEGIN{printf "%.2f", a+b}')
}
if best prep_nbdcopy post_nbdcopy "$WORK/nbdcopy-null" nbdcopy "nbd+unix:///?socket=$WORK/qnbd.sock" null:; then
  add section=full tool="nbdcopy (qemu-nbd → null:)" wall="$WALL" cpu="$CPU" read="$DISK" \
    note="raw-copy bound: reads, stores nothing; CPU incl. qemu-nbd; $ALL"
  add section=restore tool="qemu-nbd (qcow2) → nbdcopy null:" wall="$WALL" cpu="$CPU" note="peer of ferry export (the §1 measurement)"
else
  add section=full tool="nbdcopy (qemu-nbd → null:)" note="$(fail_note $? "$WORK/nbdcopy-null")"
  [ -n "${QNBD_PID:-}" ] && kill "$QNBD_PID" 2>/dev/null; QNBD_PID=
fi

ferry_full() {  # ferry_full LABEL REPO IMAGE MACHINE SIZE DATA [repo init / open flags...]
  local label="$1" repo="$2" img="$3" machine="$4" size="$5" data="$6"; shift 6
  FF_REPO="$repo"; FF_IMG="$img"; FF_ARGS=("$@")
  prep_ff() {
    rm -rf "$FF_REPO"
    "$FERRY" repo init "$FF_REPO" "${FF_ARGS[@]}" >"$FF_REPO.init.log" 2>&1 || return 1
    FF_BASE=$(dusb "$FF_REPO"); settle; warm "$FF_IMG"
  }
  if best prep_ff : "$repo.full" "$FERRY" capture "$machine" --repo "$repo" --image "$img" --image-format qcow2 -o JSON "$@"; then
    add section=full tool="$label" wall="$WALL" cpu="$CPU" read="$(R get "$repo.full.out" bytesRead)" \
      stored="$(( $(dusb "$repo") - FF_BASE ))" size="$size" data="$data" \
      note="in-process $(R get "$repo.full.out" elapsedMillis) ms; $ALL"
  else
    add section=full tool="$label" note="$(fail_note $? "$repo.full")"; return 1
  fi
}

if [ $FERRY_OK = 1 ]; then
  ferry_full "ferry capture --image" "$WORK/ferry" "$DATA/base.qcow2" bench "$DISK" "$DATA_BYTES" \
    && FERRY_BASE_POINT=bench:latest   # the repository holds the last attempt's point only
  ferry_full "ferry capture --image, encrypted repo" "$WORK/ferry-enc" "$DATA/base.qcow2" bench "$DISK" "$DATA_BYTES" \
    --passphrase-file "$WORK/passphrase" \
    && FERRY_ENC_POINT=bench:latest
  ferry_full "ferry capture --image (text-only image)" "$WORK/ferry-text" "$DATA/text.qcow2" text "$TEXT_SIZE" "$TEXT_SIZE"
  rm -rf "$WORK/ferry-text"
else
  add section=full tool="ferry capture --image" note="ferry did not run: not built"
fi

# restic: backup of the raw file (same bytes as the image); always encrypted, zstd auto
mkdir -p "$WORK/src"
prep_restic_full() {
  rm -rf "$WORK/restic" "$RESTIC_CACHE_DIR"; ln -f "$DATA/base.raw" "$WORK/src/disk.raw"
  restic init -q >"$WORK/restic-init.log" 2>&1 || return 1
  RBASE=$(dusb "$WORK/restic"); settle; warm "$DATA/base.raw"
}
if best prep_restic_full : "$WORK/restic-full" restic backup -q --json "$WORK/src/disk.raw"; then
  add section=full tool="restic backup (raw file)" wall="$WALL" cpu="$CPU" read="$DISK" \
    stored="$(( $(dusb "$WORK/restic") - RBASE ))" note="encrypted, compression auto; reads holes as zeros; $ALL"
else
  add section=full tool="restic backup (raw file)" note="$(fail_note $? "$WORK/restic-full")"
fi

# ================================================================ 2. second capture of the changed image
# each attempt starts from a copy of the repository as the full capture left it
log "2. second capture of the changed image (best of $REPEAT)"
if [ $FERRY_OK = 1 ] && [ -n "${FERRY_BASE_POINT:-}" ]; then
  prep_resync() {
    rm -rf "$WORK/ferry2"; cp -a "$WORK/ferry" "$WORK/ferry2"
    B=$(dusb "$WORK/ferry2"); settle; warm "$DATA/changed.qcow2" "$WORK/ferry2"
  }
  if best prep_resync : "$WORK/ferry.resync" "$FERRY" capture bench --repo "$WORK/ferry2" --image "$DATA/changed.qcow2" --image-format qcow2 -o JSON; then
    FERRY_CHANGED_POINT=bench:latest   # in ferry2: base point + this one
    add section=resync tool="ferry capture --image (resync)" wall="$WALL" cpu="$CPU" read="$(R get "$WORK/ferry.resync.out" bytesRead)" \
      stored="$(( $(dusb "$WORK/ferry2") - B ))" note="mode $(R get "$WORK/ferry.resync.out" mode); $ALL"
  else
    add section=resync tool="ferry capture --image (resync)" note="$(fail_note $? "$WORK/ferry.resync")"
  fi
fi
prep_restic_second() {
  rm -rf "$WORK/restic2" "$WORK/restic2-cache"; cp -a "$WORK/restic" "$WORK/restic2"; cp -a "$RESTIC_CACHE_DIR" "$WORK/restic2-cache"
  ln -f "$DATA/changed.raw" "$WORK/src/disk.raw"
  B=$(dusb "$WORK/restic2"); settle; warm "$DATA/changed.raw" "$WORK/restic2" "$WORK/restic2-cache"
}
if best prep_restic_second : "$WORK/restic-second" env RESTIC_REPOSITORY="$WORK/restic2" RESTIC_CACHE_DIR="$WORK/restic2-cache" \
    restic backup -q --json "$WORK/src/disk.raw"; then
  add section=resync tool="restic backup (second)" wall="$WALL" cpu="$CPU" read="$DISK" \
    stored="$(( $(dusb "$WORK/restic2") - B ))" note="content-defined chunking, reads the whole file; $ALL"
else
  add section=resync tool="restic backup (second)" note="$(fail_note $? "$WORK/restic-second")"
fi
rm -rf "$WORK/restic2" "$WORK/restic2-cache"

# ================================================================ 3. VM: full then incremental
log "3. running VM: full and incremental"
KERNEL=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
define_dom() {  # define_dom NAME DISK
  cat >"$WORK/$1.xml" <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>$KERNEL</kernel><cmdline>console=ttyS0 quiet</cmdline></os>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$2'/><target dev='vda' bus='virtio'/></disk>
    <serial type='pty'/><console type='pty'/>
  </devices>
</domain>
EOF
  virsh define "$WORK/$1.xml" >/dev/null
}
qemu_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }
cp "$DATA/base.qcow2" "$VMDIR/ferry.qcow2"
cp "$DATA/base.qcow2" "$VMDIR/vnb.qcow2"
VM_OK=1
define_dom $DOM_F "$VMDIR/ferry.qcow2" && define_dom $DOM_V "$VMDIR/vnb.qcow2" || VM_OK=0
# started paused: QEMU (TCG) runs with the disk open but the guest executes nothing, so
# the guest uses no CPU; libvirt pull-mode backups work the same as for a running guest
start_doms() { virsh start --paused $DOM_F >/dev/null && virsh start --paused $DOM_V >/dev/null; }
[ $VM_OK = 1 ] && start_doms || VM_OK=0
if [ $VM_OK = 0 ]; then
  add section=vm tool="(all)" note="could not define/start the TCG domains"
fi

vm_ferry() {  # vm_ferry PHASE
  [ $FERRY_OK = 1 ] && [ $VM_OK = 1 ] || return 0
  local q b q0; q=$(qemu_pid $DOM_F); q0=$(proc_cpu "$q"); b=$(dusb "$WORK/ferry-vm")
  settle; warm "$VMDIR/ferry.qcow2" "$WORK/ferry-vm"
  if timed "$WORK/ferry-vm.$1" "$FERRY" capture $DOM_F --repo "$WORK/ferry-vm" -o JSON; then
    add section=vm tool="ferry capture DOMAIN" phase="$1" wall="$WALL" cpu="$CPU" \
      qemu_cpu="$(awk -v a="$(proc_cpu "$q")" -v b="$q0" 'BEGIN{printf "%.2f", a-b}')" \
      read="$(R get "$WORK/ferry-vm.$1.out" bytesRead)" stored="$(( $(dusb "$WORK/ferry-vm") - b ))" \
      note="mode $(R get "$WORK/ferry-vm.$1.out" mode)"
  else
    add section=vm tool="ferry capture DOMAIN" phase="$1" note="$(fail_note $? "$WORK/ferry-vm.$1")"
  fi
}
vm_vnb() {  # vm_vnb PHASE LEVEL
  [ $VM_OK = 1 ] || return 0
  local q b q0 rd; q=$(qemu_pid $DOM_V); q0=$(proc_cpu "$q"); b=$(dusb "$WORK/vnb")
  settle; warm "$VMDIR/vnb.qcow2"
  if timed "$WORK/vnb.$1" virtnbdbackup -d $DOM_V -l "$2" -o "$WORK/vnb" --noprogress; then
    rd=$(grep -o '[0-9]* bytes of data extents to backup' "$WORK/vnb.$1.err" | awk '{s+=$1} END{print s+0}')
    add section=vm tool="virtnbdbackup -l $2" phase="$1" wall="$WALL" cpu="$CPU" \
      qemu_cpu="$(awk -v a="$(proc_cpu "$q")" -v b="$q0" 'BEGIN{printf "%.2f", a-b}')" \
      read="$rd" stored="$(( $(dusb "$WORK/vnb") - b ))" \
      note="uncompressed; stored includes a copy of the kernel ($(stat -c %s "$KERNEL") B) per backup"
  else
    add section=vm tool="virtnbdbackup -l $2" phase="$1" note="$(fail_note $? "$WORK/vnb.$1")"
  fi
}
if [ $VM_OK = 1 ]; then
  [ $FERRY_OK = 1 ] && { "$FERRY" repo init "$WORK/ferry-vm" >"$WORK/ferry-vm.init.log" 2>&1 || log "ferry repo init (vm) failed"; }
  vm_ferry full
  vm_vnb full full
  # change the disks offline through QEMU's block layer: the persistent dirty bitmaps
  # (libvirt checkpoints) record the writes just as they record guest writes
  virsh destroy $DOM_F >/dev/null; virsh destroy $DOM_V >/dev/null
  "$PY" "$HERE/apply_changes.py" "$VMDIR/ferry.qcow2" "$DATA/changed.raw" "$DATA/changes.json" \
    && "$PY" "$HERE/apply_changes.py" "$VMDIR/vnb.qcow2" "$DATA/changed.raw" "$DATA/changes.json" \
    || log "apply_changes failed"
  qemu-img info "$VMDIR/ferry.qcow2" >"$WORK/vm-ferry-qemu-img-info.txt" 2>&1
  qemu-img info "$VMDIR/vnb.qcow2" >"$WORK/vm-vnb-qemu-img-info.txt" 2>&1
  start_doms || log "restarting the domains failed"
  vm_ferry incremental
  vm_vnb incremental inc
fi

# ================================================================ 4. restore and export
log "4. restore and export (best of $REPEAT)"
ferry_restore() {  # ferry_restore LABEL REPO POINT OUT FORMAT REFERENCE [extra args]
  local label="$1" repo="$2" point="$3" out="$4" fmt="$5" ref="$6"; shift 6
  FR_REPO="$repo" FR_OUT="$out"
  prep_fr() {
    rm -f "$FR_OUT"
    # in place: into a fresh copy of the original (base) image each time
    [ -n "${FR_INPLACE:-}" ] && cp --sparse=always "$DATA/base.raw" "$FR_OUT"
    settle; warm "$FR_REPO"; [ -f "$FR_OUT" ] && warm "$FR_OUT"; return 0
  }
  if best prep_fr : "$out.restore" "$FERRY" restore "$point" --repo "$repo" --disk vda --to "$out" --format "$fmt" -o JSON "$@"; then
    local w="$WALL" c="$CPU" a="$ALL" wr
    wr=$(R get "$out.restore.out" bytesWritten 2>/dev/null || echo "")
    verify "$out" "$fmt" "$ref"
    add section=restore tool="$label" wall="$w" cpu="$c" written="$wr" note="$VERDICT; $a"
  else
    add section=restore tool="$label" note="$(fail_note $? "$out.restore")"
  fi
  rm -f "$out"
}
if [ $FERRY_OK = 1 ] && [ -n "${FERRY_BASE_POINT:-}" ]; then
  ferry_restore "ferry restore → raw" "$WORK/ferry" "$FERRY_BASE_POINT" "$WORK/restore.raw" raw "$DATA/base.raw"
  ferry_restore "ferry restore → qcow2" "$WORK/ferry" "$FERRY_BASE_POINT" "$WORK/restore.qcow2" qcow2 "$DATA/base.raw"
  [ -n "${FERRY_ENC_POINT:-}" ] && ferry_restore "ferry restore → raw, encrypted repo" "$WORK/ferry-enc" "$FERRY_ENC_POINT" \
    "$WORK/restore-enc.raw" raw "$DATA/base.raw" --passphrase-file "$WORK/passphrase"
  if [ -n "${FERRY_CHANGED_POINT:-}" ]; then
    FR_INPLACE=1 ferry_restore "ferry restore --in-place (changed point into a copy of the original)" "$WORK/ferry2" \
      "$FERRY_CHANGED_POINT" "$WORK/inplace.raw" raw "$DATA/changed.raw" --in-place
    FR_INPLACE=
  fi
  # export: one ferry export process, read by nbdcopy to null: and to a raw file
  /usr/bin/time -f '%e %U %S' -o "$WORK/export.time" "$FERRY" export "$FERRY_BASE_POINT" --repo "$WORK/ferry" \
    --socket "$WORK/export.sock" >"$WORK/export.out" 2>"$WORK/export.err" &
  TPID=$!
  if wait_for_line "$WORK/export.out" "press Ctrl-C" 60; then
    EXPORT_PID=$(pgrep -P "$TPID" | head -1)
    URI="nbd+unix:///vda?socket=$WORK/export.sock"
    prep_export() { rm -f "$WORK/export.raw"; settle; warm "$WORK/ferry"; C0=$(proc_cpu "$EXPORT_PID"); }
    post_export() { CPU=$(awk -v a="$CPU" -v b="$(proc_cpu "$EXPORT_PID")" -v z="$C0" 'BEGIN{printf "%.2f", a+b-z}'); }
    for dst in null file; do
      if [ $dst = null ]; then target=null:; label="ferry export → nbdcopy null:"; else target="$WORK/export.raw"; label="ferry export → nbdcopy to a raw file"; fi
      if best prep_export post_export "$WORK/export-$dst" nbdcopy "$URI" "$target"; then
        VERDICT="not compared"; [ $dst = file ] && verify "$WORK/export.raw" raw "$DATA/base.raw"
        add section=restore tool="$label" wall="$WALL" cpu="$CPU" note="CPU incl. the ferry export process; $VERDICT; $ALL"
      else
        add section=restore tool="$label" note="$(fail_note $? "$WORK/export-$dst")"
      fi
      rm -f "$WORK/export.raw"
    done
    kill -TERM "$EXPORT_PID"; wait "$TPID" 2>/dev/null; EXPORT_PID=
  else
    add section=restore tool="ferry export" note="export did not start: $(tail -c 300 "$WORK/export.err" | tr '\n|' '  ')"
    kill "$TPID" 2>/dev/null
  fi
fi

# restic restore of the first snapshot (the base image)
SNAP=$(restic snapshots --json 2>/dev/null | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(sorted(s, key=lambda x: x["time"])[0]["short_id"])' 2>/dev/null)
if [ -n "$SNAP" ]; then
  prep_rr() { rm -rf "$WORK/restic-out"; settle; warm "$WORK/restic" "$RESTIC_CACHE_DIR"; }
  if best prep_rr : "$WORK/restic-restore" restic restore "$SNAP" --target "$WORK/restic-out"; then
    f=$(find "$WORK/restic-out" -name disk.raw | head -1)
    verify "$f" raw "$DATA/base.raw"
    add section=restore tool="restic restore → raw file" wall="$WALL" cpu="$CPU" written="$(du -sB1 "$f" | cut -f1)" \
      note="written = allocated bytes of the result (restic 0.14 writes the holes as zeros); $VERDICT; $ALL"
  else
    add section=restore tool="restic restore → raw file" note="$(fail_note $? "$WORK/restic-restore")"
  fi
  rm -rf "$WORK/restic-out"
fi

# virtnbdrestore of the VM backup chain (full + incremental) into a qcow2
if [ $VM_OK = 1 ] && [ -f "$WORK/vnb/vda.full.data" ]; then
  prep_vr() { rm -rf "$WORK/vnb-out"; mkdir -p "$WORK/vnb-out"; settle; warm "$WORK/vnb"; }
  if best prep_vr : "$WORK/vnb-restore" virtnbdrestore -i "$WORK/vnb" -o "$WORK/vnb-out" --noprogress; then
    f=$(find "$WORK/vnb-out" -name '*.qcow2' -type f | head -1)
    VERDICT="output not found"; [ -n "$f" ] && verify "$f" qcow2 "$DATA/changed.raw"
    add section=restore tool="virtnbdrestore (full + inc) → qcow2" wall="$WALL" cpu="$CPU" \
      written="$( [ -n "$f" ] && du -sB1 "$f" | cut -f1)" note="restores the changed state (VM chain of §3); $VERDICT; $ALL"
  else
    add section=restore tool="virtnbdrestore (full + inc) → qcow2" note="$(fail_note $? "$WORK/vnb-restore")"
  fi
  rm -rf "$WORK/vnb-out"
fi

# ---------------------------------------------------------------- sizes and report
"$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); m["summary"] += ". Load average (1/5/15 min) at the start: %s, at the end: %s (other work on the machine disturbs the figures; each stateless figure is the fastest of %s attempts)" % tuple(sys.argv[2:5]); json.dump(m, open(sys.argv[1], "w"))' \
  "$WORK/machine.json" "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)" "$REPEAT"
log "done in $(( $(date +%s) - T0 )) s; peak disk use of $BENCH_DIR: $(du -sh "$BENCH_DIR" | cut -f1) at the end"
echo
echo "Command: bash bench/run.sh   (total $(( $(date +%s) - T0 )) s)"
R render "$RESULTS" "$WORK/machine.json" "$DATA/changes.json" "$BENCH_DIR/results.md"
# keep the logs and figures of the run, drop its repositories (BENCH_KEEP=1 keeps them)
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  rm -rf "$WORK"/{ferry,ferry-enc,ferry2,ferry-vm,restic,restic-cache,vnb,src}
fi
