#!/bin/busybox sh
# PID 1 of the power-cut guest. The system lives in the initramfs (RAM); only the pad's database
# sits on /dev/vda, an ext4 disk whose writes QEMU passes to the host with its cache off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp /data
mount -t tmpfs tmp /tmp
for m in $(cat /etc/hcp/modules); do
  insmod "/lib/modules/$m" || echo "hcp-init: insmod $m failed"
done
ifconfig lo 127.0.0.1 up

arg() { sed -n "s/.*\bhcp\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
HCP_POWER_MODE=$(arg mode)
HCP_POWER_PHASE=$(arg phase)
# Extra node flags, comma-separated (for measuring start-up under TCG).
NODE_FLAGS=$(arg node | tr ',' ' ')
export HCP_POWER_MODE HCP_POWER_PHASE

# The devices appear asynchronously after their modules load.
i=0
while [ ! -b /dev/vda ] || [ ! -e /sys/class/virtio-ports ] || [ -z "$(ls /sys/class/virtio-ports)" ]; do
  i=$((i + 1))
  [ $i -gt 200 ] && { echo "hcp-init: devices missing"; poweroff -f; }
  sleep 0.05
done
HCP_POWER_PORT=/dev/$(ls /sys/class/virtio-ports | head -n 1)
export HCP_POWER_PORT
# data=ordered is ext4's default, named here because the broken build's loss depends on it.
mount -t ext4 -o data=ordered /dev/vda /data || { echo "hcp-init: mount failed"; poweroff -f; }
mkdir -p /data/pad
echo "hcp-init: uptime $(cut -d" " -f1 /proc/uptime), starting the pad ($HCP_POWER_MODE, $HCP_POWER_PHASE)"
cd /opt/hcp && HOME=/tmp HCP_QUIET=1 NODE_PATH=/opt/hcp/node_modules /usr/bin/node $NODE_FLAGS guest-driver.cjs
echo "hcp-init: driver exited with $? at uptime $(cut -d" " -f1 /proc/uptime)"
umount /data
poweroff -f
