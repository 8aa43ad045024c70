#!/usr/bin/env bash
# The GNU parallel equivalent of --slurm (experiments/sweeps/README.md):
# parallel runs a tiny sweep's 2 shards through ssh to this machine (sshd on
# 127.0.0.1:2222 with a host key and a client key made here), then
# ./testbed merge; the merged database must hold what the same sweep run
# serially holds (experiments/tests/shard_compare.sh). Needs parallel,
# openssh-server and openssh-client.
set -euo pipefail
root=${1:?usage: sweep_parallel_vm_test.sh REPO_ROOT}
dir=$(mktemp -d)
sshd_pid=''
trap '[ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
# shellcheck source=experiments/tests/shard_compare.sh
source "$root/experiments/tests/shard_compare.sh"
shard_compare_sweep "$dir/tiny.sweep"

port=2222
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"
cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $dir/sshd.pid
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do
	ssh -p "$port" -i "$dir/client_key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes root@127.0.0.1 true 2>/dev/null && break
	sleep 0.2
done
# one shard at a time per host: a shard needs the host's cores for its guest
echo "1/ssh -p $port -i $dir/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1" >"$dir/nodes"

export TB_BUILD=${TB_BUILD:-$root/build}
parallel --sshloginfile "$dir/nodes" --workdir "$root" --env TB_BUILD --env TB_CACHE \
	./testbed sweep "$dir/tiny.sweep" --shard {}/2 --db "$dir/tiny.shard-{}-of-2.db" ::: 1 2
"$root/testbed" merge "$dir/merged.db" "$dir"/tiny.shard-*-of-2.db --sweep "$dir/tiny.sweep" | tee "$dir/merge.out"
check "the merge found nothing missing" grep -q "2 of 2 runs of .* done, 0 missing" "$dir/merge.out"

# the serial run of the same sweep; sweep_scaleout_vm_test.sh runs it once
# for both scale-out tests (TB_TEST_SERIAL_DB)
serial=${TB_TEST_SERIAL_DB:-}
if [ -z "$serial" ]; then
	serial=$dir/serial.db
	"$root/testbed" sweep "$dir/tiny.sweep" --db "$serial"
fi
shard_compare "$serial" "$dir/merged.db"
tb_summary
