# shellcheck shell=bash
# Shared by ./testbed run, sweep and the guest's run driver: the names a
# sweep is checked against, and point files read by name.
#
# A point file (written by `tb-sweep expand`, format in experiments/sweep.h)
# holds one run's settings as `key = value` lines, each key the name of the
# setting's column in the runs table.

# shellcheck source=kernel/kernel-lib.sh
source "$TB_ROOT/kernel/kernel-lib.sh"

# TB_SWEEP_KNOWN: tb-sweep's options naming the kernels, profiles and clips
# that exist, so a sweep is checked against them before anything boots.
tb_sweep_known() {
	local IFS=,
	local -a kernels profiles clips
	mapfile -t kernels < <(tb_kernel_variants)
	mapfile -t profiles < <(find "$TB_ROOT/netem-profiles" -maxdepth 1 -name '*.profile' -printf '%f\n' |
		sed 's/\.profile$//' | sort)
	mapfile -t clips < <(bash "$TB_ROOT/datasets/list.sh")
	# shellcheck disable=SC2034 # read by the scripts that source this file
	TB_SWEEP_KNOWN=(--kernels "${kernels[*]}" --profiles "${profiles[*]}" --clips "${clips[*]}")
}

# tb_sweep_bdp FILE DB: for a sweep FILE with rings in units of the BDP
# (ring = 0.27bdp) or in the paper's lab packets (ring = 500lab), tb-sweep's
# --bdp and --lab-scale options in TB_SWEEP_BDP: each VPN's BDP at each
# profile's RTT, in packets of 1500 B, and its capacity over the paper's lab
# capacity of it (analysis/paper-lab-capacity.sh), from the caller's
# associative array `capacity` (VPN -> Mbit/s, from --capacity) or else the
# VPN's newest calibration in DB; TB_SWEEP_BDP_ENV says which capacities
# (for env_json). Both empty for a file without such rings.
tb_sweep_bdp() {
	local file=$1 db=$2 vpn profile rtt_us paper_lab
	TB_SWEEP_BDP=() TB_SWEEP_BDP_ENV=''
	[[ $(declare -p capacity 2>/dev/null) == "declare -A"* ]] || declare -gA capacity=()
	grep -Eq '^[[:space:]]*ring[[:space:]]*=[^#]*[0-9][[:space:]]*(bdp|lab)' "$file" || return 0
	for vpn in openvpn wireguard-go; do
		if [ -z "${capacity[$vpn]:-}" ] && [ -f "$db" ]; then
			# shellcheck disable=SC2004 # capacity is associative (declared above)
			capacity[$vpn]=$(bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn") || capacity[$vpn]=''
		fi
		[ -n "${capacity[$vpn]:-}" ] || continue
		TB_SWEEP_BDP_ENV+="${TB_SWEEP_BDP_ENV:+, }$vpn $(printf '%.2f' "${capacity[$vpn]}") Mbit/s"
		while read -r profile; do
			rtt_us=$("$TB_BUILD/netem-profiles/tb-profile" show --json "$TB_ROOT/netem-profiles/$profile.profile" |
				jq '.up.delay_us + .down.delay_us')
			TB_SWEEP_BDP+=(--bdp "$vpn:$profile=$(awk -v c="${capacity[$vpn]}" -v r="$rtt_us" \
				'BEGIN { printf "%.3f", c * 1e6 * r / 1e6 / (8 * 1500) }')")
		done < <(find "$TB_ROOT/netem-profiles" -maxdepth 1 -name '*.profile' -printf '%f\n' | sed 's/\.profile$//')
		paper_lab=$(bash "$TB_ROOT/analysis/paper-lab-capacity.sh" "$vpn") || continue
		TB_SWEEP_BDP+=(--lab-scale "$vpn=$(awk -v c="${capacity[$vpn]}" -v p="$paper_lab" 'BEGIN { printf "%.6f", c / p }')")
	done
}

# tb_point_load FILE: the point's settings into the associative array
# `point` (point[ring], point[qdisc], ...). Fails on a line that is not
# `key = value`.
declare -gA point=()
tb_point_load() {
	local file=$1 line key value n=0
	point=()
	[ -r "$file" ] || tb_die "cannot read point file $file"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		[[ $line =~ ^[[:space:]]*([a-z_][a-z0-9_]*)[[:space:]]*=[[:space:]]*(.*)$ ]] ||
			tb_die "$file:$n: expected 'key = value', got '$line'"
		key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
		value=${value%"${value##*[![:space:]]}"}
		point[$key]=$value
	done <"$file"
	[ -n "${point[point_key]:-}" ] || tb_die "$file: not a point file (no point_key)"
}

# tb_guest_vcpus: the vCPUs vm/vm.sh gives a guest (its QEMU -smp), the host
# cores a sweep task needs so that its runs measure the kernel, not the
# contention for cores.
tb_guest_vcpus() {
	local n
	n=$(sed -n 's/.*qemu-system-x86_64 .*-smp \([0-9][0-9]*\).*/\1/p' "$TB_ROOT/vm/vm.sh" | head -n1)
	[ -n "$n" ] || tb_die "cannot read the guest's vCPU count (qemu -smp) from vm/vm.sh"
	echo "$n"
}
