#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying ./testbed sweep
# --slurm and for its tests: munged, slurmctld and slurmd from Debian's
# packages (slurmctld, slurmd, slurm-client, munge), run as root with their
# configuration, key, sockets, state and logs in one directory.
#   scale-out/slurm-local.sh start [DIR]   prints the SLURM_CONF to export
#   scale-out/slurm-local.sh stop [DIR]
# DIR defaults to /tmp/tb-slurm-local. The daemons listen on ports 16817 and
# 16818 (not Slurm's defaults, so a real installation is left alone).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() { echo "usage: scale-out/slurm-local.sh start|stop [DIR]"; }
[[ $# -ge 1 && $# -le 2 ]] || { usage >&2; exit 2; }
action=$1 dir=${2:-/tmp/tb-slurm-local}

# stop_pid FILE: end the daemon whose pid the file holds, and wait for it.
stop_pid() {
	local f=$1 pid i
	[ -s "$f" ] || return 0
	read -r pid <"$f"
	if kill "$pid" 2>/dev/null; then
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$f"
}

case "$action" in
stop)
	stop_pid "$dir/slurmd.pid"
	stop_pid "$dir/slurmctld.pid"
	stop_pid "$dir/munged.pid"
	rm -rf "$dir"
	exit 0
	;;
start) ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

tb_require_root "a local Slurm cluster"
for p in munged slurmctld slurmd sinfo; do
	command -v "$p" >/dev/null || tb_die "slurm-local: $p not found (apt-get install slurmctld slurmd slurm-client munge)"
done
[ ! -e "$dir/slurmctld.pid" ] || tb_die "slurm-local: already started in $dir (stop it first)"
mkdir -p "$dir"/{munge,ctld,spool}
chmod 700 "$dir/munge"
# A key of its own: 1024 random bytes, readable by its owner only.
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
	--pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"

mem_mb=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')
cat >"$dir/slurm.conf" <<CONF
ClusterName=tblocal
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -i
slurmd -N localhost
for ((i = 0; i < 100; i++)); do
	state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.2
done
if [ "$state" != idle ]; then
	echo "slurm-local: the node did not come up idle (state '${state:-none}'); logs in $dir" >&2
	tail -n 5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
	exit 1
fi
echo "SLURM_CONF=$SLURM_CONF"
