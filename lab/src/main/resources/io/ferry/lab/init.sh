#!/bin/sh
# Ferry lab guest /init: mount the basics, load the drivers, run the workload. On the ACPI power
# button: stop the workload, sync, print FERRY-SHUTDOWN records=<n> and power off (with
# ferry.acpi=ignore: print FERRY-ACPI ignored once and carry on).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk \
         failover net_failover virtio_net button evdev; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
done
disk=/dev/vda
acpi=poweroff
for a in $(cat /proc/cmdline); do
  case "$a" in
    ferry.disk=*) disk="${a#ferry.disk=}" ;;
    ferry.acpi=*) acpi="${a#ferry.acpi=}" ;;
  esac
done
i=0
while [ ! -b "$disk" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
echo "FERRY-BOOT disk=$disk uptime=$(cut -d' ' -f1 /proc/uptime)"
# a virtio NIC (device id 0x0001) probes asynchronously: give it up to 2 s to appear
if grep -qs 0x0001 /sys/bus/virtio/devices/*/device; then
  i=0
  while [ "$(ls /sys/class/net | grep -vc '^lo$')" = 0 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done
fi
for n in /sys/class/net/*; do
  [ "${n##*/}" = lo ] || [ ! -e "$n/address" ] || echo "FERRY-NIC name=${n##*/} mac=$(cat "$n/address")"
done

# busybox acpid reads /dev/input/event0.. and runs /etc/acpi/PWRF/00000080 on KEY_POWER (the
# button driver turns the ACPI power-button event into that key); its output goes to -l.
mkdir -p /etc/acpi/PWRF
if [ "$acpi" = ignore ]; then
  printf '#!/bin/sh\n[ -e /tmp/acpi-seen ] || { : >/tmp/acpi-seen; echo "FERRY-ACPI ignored" >/dev/console; }\n'
else
  printf '#!/bin/sh\nkill -USR1 1\n'
fi >/etc/acpi/PWRF/00000080
chmod 755 /etc/acpi/PWRF/00000080
if [ -e /dev/input/event0 ]; then
  acpid -c /etc/acpi -l /dev/null -p /tmp/acpid.pid
  i=0  # the pid file appears once acpid has opened the input devices
  while [ ! -s /tmp/acpid.pid ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done
else
  echo "FERRY-ERROR op=acpid reason=no-input-device"
fi

power_off() {
  trap '' USR1
  kill -TERM "$wl" 2>/dev/null
  wait "$wl"
  sync
  if [ -f /tmp/ferry-records ]; then
    echo "FERRY-SHUTDOWN records=$(cat /tmp/ferry-records)"
  else
    echo "FERRY-SHUTDOWN"
  fi
  poweroff -f
}
trap power_off USR1
/workload &
wl=$!
wait "$wl"
echo "FERRY-ERROR op=workload-exit status=$?"
# idle in short waits so the USR1 trap runs promptly
while :; do sleep 3600 & wait $!; done
