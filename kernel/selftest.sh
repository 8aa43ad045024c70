#!/usr/bin/env bash
# ./testbed selftest: boot each kernel variant once and check, with TUN
# floods, where it drops packets (ring, qdisc, socket) against what the
# variant is meant to do.
set -euo pipefail
TB_ROOT=${TB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=kernel/kernel-lib.sh
source "$TB_ROOT/kernel/kernel-lib.sh"
tb_kernel_srcver_init

usage() {
	cat <<'TXT'
usage: ./testbed selftest [--variants LIST] [--db PATH] [--quick] [--repeats N]
                          [--timeout SEC] [--from-source|--modules]

Boots Debian's kernel once under ./testbed vm, loading each variant's tun.ko
in turn (the module path, the default; kernel/tun-switch.sh), or with
--from-source (TB_KERNEL_FROM_SOURCE=1) each variant's own kernel, and floods a TUN device in
it for ring size (txqueuelen) 1, 25, 500 x root qdisc noqueue, pfifo_fast,
"pfifo limit 25000", fq_codel: a bursty blocking UDP sender, a reader 10x
slower, each point in its own network namespace (tb-tunflood). Prints the
table (counts in packets), stores every flood in the results store (runs with
kind 'selftest' plus tun_flood and counters rows) and fails unless:
  - stock loses packets in the ring whenever the reader is slower;
  - nodrop-v2 and nodrop-qdisc drop in the ring only rarely when a qdisc
    is attached (at most 10 % of a flood's packets: --repeats measures how
    often; kernel/tunflood/README.md), lose nothing else with "pfifo limit
    25000" and a blocking sender (ring 1 included), and never hang
    (nodrop-v2 under pfifo_fast excepted: shown as hung);
  - nodrop-qdisc with noqueue still drops in the ring (old behaviour);
  - backpressure (optional variant; its grid runs twice, without and with
    IFF_BACKPRESSURE on the TUN) behaves as stock without the flag and as
    nodrop-qdisc with it;
  - every lost packet is accounted for (unexplained = 0).

  --variants LIST  comma-separated kernel variants (default: every variant
                   already built; a listed variant that is not built yet is
                   built first)
  --db PATH        results database (default $TB_CACHE/results/selftest.db)
  --quick          1000 packets per point instead of 2000
  --repeats N      flood each patched behaviour (nodrop-v2, nodrop-qdisc,
                   backpressure with IFF_BACKPRESSURE) N more times at rings 1
                   and 25 under pfifo_fast and fq_codel, and print how often
                   its ring still dropped or it hung, with 95 % intervals
                   (default 0)
  --timeout SEC    limit per variant (default 600)

Environment: TB_TUNFLOOD and TB_TUNFLOOD_STORE name the two binaries
(default: build them into $TB_BUILD). Guest output stays under
$TB_CACHE/selftest/CAMPAIGN/VARIANT/.
TXT
}

variants=
db=
quick=0 repeats=0
timeout_s=600
while [ $# -gt 0 ]; do
	case "$1" in
	--variants | --db | --timeout | --repeats)
		[ $# -ge 2 ] || tb_usage_die "selftest: $1 needs an argument"
		case "$1" in
		--variants) variants=$2 ;;
		--db) db=$2 ;;
		--timeout) timeout_s=$2 ;;
		--repeats) repeats=$2 ;;
		esac
		shift
		;;
	--quick) quick=1 ;;
	--from-source) export TB_KERNEL_FROM_SOURCE=1 ;;
	--modules) export TB_KERNEL_FROM_SOURCE=0 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "selftest: unknown option '$1'" ;;
	esac
	shift
done
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || tb_usage_die "selftest: --timeout wants a positive number of seconds, got '$timeout_s'"
[[ $repeats =~ ^[0-9]+$ ]] || tb_usage_die "selftest: --repeats wants a count, got '$repeats'"

chosen=()
if [ -n "$variants" ]; then
	IFS=, read -r -a chosen <<<"$variants"
	[ "${#chosen[@]}" -gt 0 ] || tb_usage_die "selftest: --variants is empty"
	for v in "${chosen[@]}"; do
		tb_kernel_is_variant "$v" || tb_usage_die "selftest: unknown kernel variant '$v' (known: $(tb_kernel_variants | tr '\n' ' '))"
	done
else
	for v in $(tb_kernel_variants); do
		if [ "$(tb_kernel_path)" = source ]; then
			built=$(tb_kernel_image_dir "$v")/bzImage
		else
			built=$(tb_deb_module_dir "$v")/tun.ko
		fi
		if [ -f "$built" ]; then chosen+=("$v"); fi
	done
	[ "${#chosen[@]}" -gt 0 ] || tb_die "no kernel variant is built yet: run './testbed kernel build all' or pass --variants"
fi

tool=${TB_TUNFLOOD:-}
store=${TB_TUNFLOOD_STORE:-}
if [ -z "$tool" ] || [ -z "$store" ]; then
	bash "$TB_ROOT/scripts/build.sh" >/dev/null
	tool=${tool:-$TB_BUILD/kernel/tunflood/tb-tunflood}
	store=${store:-$TB_BUILD/kernel/tunflood/tb-tunflood-store}
fi
[ -x "$tool" ] || tb_die "tb-tunflood not found at $tool"
[ -x "$store" ] || tb_die "tb-tunflood-store not found at $store"

db=${db:-$TB_CACHE/results/selftest.db}
mkdir -p "$(dirname "$db")"
campaign=selftest-$(date -u +%Y%m%dT%H%M%SZ)-$$
base=$TB_CACHE/selftest/$campaign
git_rev=$(git -C "$TB_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
quick_arg=()
[ "$quick" -eq 1 ] && quick_arg=(--quick)
flood_args=("${quick_arg[@]}" --repeats "$repeats")

problems=()
timings=()
# store_variant V OUT VMENV: stores V's floods from OUT/points with the VM's
# facts from VMENV; on the module path OUT/module.env (written in the guest)
# names the module that was loaded for them.
store_variant() {
	local v=$1 out=$2 vmenv=$3 key val accel patch_hash expected
	local -a results repeated env_args=()
	declare -A mod=()
	if [ -f "$out/module.env" ]; then
		for kv in $(<"$out/module.env"); do mod[${kv%%=*}]=${kv#*=}; done
		[ "${mod[variant]:-}" = "$v" ] || problems+=("$v: the guest had module '${mod[variant]:-none}' loaded, not $v")
	fi
	accel=$(sed -n 's/^accel=//p' "$vmenv" 2>/dev/null || true)
	shopt -s nullglob
	results=("$out"/points/*.json)
	repeated=("$out"/repeats/*.json)
	shopt -u nullglob
	if [ "${#results[@]}" -gt 0 ]; then
		# The VM's facts (image, CPUs, boot time) go into each run's env_json;
		# the patch hash is the loaded module's (module path) or the one
		# vm.sh recorded for the kernel it booted.
		for key in kernel_path kernel_image image_key image_sha256 module_sha256 vcpus mem_mb boot_to_command_s accel_reason; do
			val=$(sed -n "s/^$key=//p" "$vmenv" 2>/dev/null | head -n1)
			case "$key" in image_key | module_sha256) val=${mod[$key]:-$val} ;; esac
			[ -z "$val" ] || env_args+=(--env "$key=$val")
		done
		patch_hash=${mod[patch_hash]:-$(sed -n 's/^patch_hash=//p' "$vmenv")}
		"$store" add --db "$db" --campaign "$campaign" --variant "$v" --accel "${accel:-unknown}" \
			--git-rev "$git_rev" --patch-hash "$patch_hash" "${env_args[@]}" "${results[@]}" >/dev/null
	fi
	# The repeats: the same floods, marked so the grid's table leaves them out.
	if [ "${#repeated[@]}" -gt 0 ]; then
		"$store" add --db "$db" --campaign "$campaign" --variant "$v" --accel "${accel:-unknown}" \
			--git-rev "$git_rev" --patch-hash "$patch_hash" "${env_args[@]}" --env series=repeat \
			"${repeated[@]}" >/dev/null
	fi
	if [ -f "$out/repeats/expected" ]; then
		expected=$(<"$out/repeats/expected")
		[ "${#repeated[@]}" -eq "$expected" ] || problems+=("$v: ${#repeated[@]} of $expected repeated floods produced a result")
	fi
	expected=$(cat "$out/points/expected" 2>/dev/null || echo 12)
	[ "${#results[@]}" -eq "$expected" ] || problems+=("$v: ${#results[@]} of $expected points produced a result")
}

if [ "$(tb_kernel_path)" = modules ]; then
	# One boot of Debian's kernel; the guest switches tun.ko between variants.
	for v in "${chosen[@]}"; do
		mkdir -p "$base/$v"
		cp "$tool" "$base/$v/tb-tunflood"
		bash "$TB_ROOT/kernel/build.sh" build "$v" 2>&1 | grep -v ': module cached (' >&2 || true
	done
	mode=full
	[ "$quick" -eq 1 ] && mode=quick
	tb_log "selftest: ${chosen[*]}: one boot, switching tun.ko, flooding the grid per variant (guest output in $base)"
	start=$(tb_now)
	set +e
	bash "$TB_ROOT/vm/vm.sh" --kernel "${chosen[0]}" --out "$base" --timeout "$((timeout_s * ${#chosen[@]}))" -- \
		bash "$TB_ROOT/kernel/tunflood/guest-selftest.sh" "$base" "$mode" "$repeats" "${chosen[@]}"
	rc=$?
	set -e
	secs=$(tb_elapsed "$start")
	boot=$(sed -n 's/^boot_to_command_s=//p' "$base/vm.env" 2>/dev/null || true)
	timings+=("all: ${secs} s in one boot (VM boot to command ${boot:-?} s, accel $(sed -n 's/^accel=//p' "$base/vm.env" 2>/dev/null || echo '?'))")
	[ "$rc" -eq 0 ] || problems+=("the guest run failed (exit $rc; see $base/*/points/*.err and $base/vm-console.log)")
	for v in "${chosen[@]}"; do
		sw=$(sed -n 's/.*switch_s=\([0-9.]*\).*/\1/p' "$base/$v/module.env" 2>/dev/null || true)
		timings+=("$v: $(cat "$base/$v/elapsed" 2>/dev/null || echo '?') s in the guest${sw:+ (switch $sw s)}")
		store_variant "$v" "$base/$v" "$base/vm.env"
	done
else
	for v in "${chosen[@]}"; do
		out=$base/$v
		mkdir -p "$out"
		cp "$tool" "$out/tb-tunflood"
		tb_log "selftest: $v: booting the VM and flooding the grid (guest output in $out)"
		start=$(tb_now)
		set +e
		bash "$TB_ROOT/vm/vm.sh" --kernel "$v" --out "$out" --timeout "$timeout_s" -- \
			bash "$TB_ROOT/kernel/tunflood/guest-flood.sh" "$out" "${flood_args[@]}"
		rc=$?
		set -e
		secs=$(tb_elapsed "$start")
		accel=$(sed -n 's/^accel=//p' "$out/vm.env" 2>/dev/null || true)
		boot=$(sed -n 's/^boot_to_command_s=//p' "$out/vm.env" 2>/dev/null || true)
		timings+=("$v: ${secs} s (VM boot to command ${boot:-?} s, accel ${accel:-?})")
		[ "$rc" -eq 0 ] || problems+=("$v: the guest run failed (exit $rc; see $out/points/*.err and $out/vm-console.log)")
		store_variant "$v" "$out" "$out/vm.env"
	done
fi

echo
echo "TUN flood self-test, campaign $campaign (database $db)"
echo "flood: $(cat "$base/${chosen[0]}/points/params" 2>/dev/null || echo '?')"
"$store" table --db "$db" --campaign "$campaign" || problems+=("no flood was stored")
echo
if [ "$repeats" -gt 0 ]; then
	"$store" repeats --db "$db" --campaign "$campaign" || problems+=("no repeated flood was stored")
	echo
fi
printf 'time per variant: %s\n' "${timings[@]}"
echo
check_rc=0
"$store" check --db "$db" --campaign "$campaign" || check_rc=$?
[ "$check_rc" -eq 0 ] || problems+=("some floods violate the self-test expectations (FAIL lines above)")
if [ "${#problems[@]}" -gt 0 ]; then
	printf 'selftest: FAILED: %s\n' "${problems[@]}" >&2
	exit 1
fi
echo "selftest: passed (${chosen[*]})"
