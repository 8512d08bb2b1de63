#!/bin/sh
# Ferry lab guest /init: mount the basics, load the virtio drivers, run the workload, idle.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk \
         failover net_failover virtio_net; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
done
disk=/dev/vda
for a in $(cat /proc/cmdline); do
  case "$a" in ferry.disk=*) disk="${a#ferry.disk=}" ;; esac
done
i=0
while [ ! -b "$disk" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
echo "FERRY-BOOT disk=$disk uptime=$(cut -d' ' -f1 /proc/uptime)"
/workload
echo "FERRY-ERROR op=workload-exit status=$?"
while :; do sleep 3600; done
