#!/usr/bin/env bash
# Installs the Debian packages Ferry and its tests need, and starts libvirt.
# Idempotent: safe to run again. Needs root (or sudo) on Debian 12+.
set -euo pipefail

PKGS=(qemu-system-x86 qemu-utils libnbd-bin nbdkit
      libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu
      linux-image-amd64 busybox-static cpio gzip gcc libc6-dev
      iproute2 procps util-linux python3)
# peers for the benchmark (bench/run.sh); optional for the tests
BENCH_PKGS=(virtnbdbackup restic)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}" ${FERRY_WITH_BENCH:+"${BENCH_PKGS[@]}"}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ferry: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# libvirt without systemd (containers, CI): start the daemons ourselves.
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
  echo "ferry: starting virtlogd and libvirtd"
  pgrep -x virtlogd >/dev/null || $SUDO virtlogd -d
  pgrep -x libvirtd >/dev/null || $SUDO libvirtd -d
  for _ in $(seq 1 50); do
    virsh -c qemu:///system version >/dev/null 2>&1 && break
    sleep 0.2
  done
  virsh -c qemu:///system version >/dev/null 2>&1 || { echo "ferry: libvirtd did not come up; see /var/log/libvirt" >&2; exit 1; }
fi
