#!/bin/bash
# The guest kernel's module autoloader on the module path: vm/guest-init.sh
# writes this file's path to /proc/sys/kernel/modprobe. The guest's root is
# the host's, whose /lib/modules has no modules of Debian's 6.12 kernel (and
# cannot get a mount point: the root is read-only), so modprobe looks in the
# unpacked package in the cache instead (-d: DIR/lib/modules/RELEASE). Its
# configuration still comes from /run/modprobe.d, where "tun" is the
# variant's module.
set -euo pipefail
read -r root </run/tb-modroot
exec /usr/sbin/modprobe -d "$root" "$@"
