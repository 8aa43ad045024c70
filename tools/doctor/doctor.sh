#!/usr/bin/env bash
# ./testbed doctor: the TUN queues of the machine it runs on (a team's
# robot, any Linux): the kernel and whether it offers IFF_BACKPRESSURE, every
# TUN/TAP device of this network namespace with its owner process, ring
# (txqueuelen), qdisc, flags and the drops of ring and qdisc over a short
# watch; then what to change, in numbers: size-queue's answer from a
# campaign database, or the arithmetic from the uplink, bitrate and
# keyframe size the user gives. Table or --json. Exit 0: no drops seen;
# 1: drops seen; 2: bad usage; 3: could not complete.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed doctor [--watch SEC] [--json]
                        [--db PATH [--campaign NAME] [--profile NAME] [--bitrate RATE] [--cameras N]]
                        [--uplink RATE --bitrate RATE --keyframe-packets N
                         [--budget-ms MS] [--packet-bytes B]]

Shows, for this machine's kernel and the current network namespace: the
kernel release, whether TUNGETFEATURES reports IFF_BACKPRESSURE (0x0080),
net.core.default_qdisc, and per TUN/TAP device its owner process(es),
txqueuelen (the ring), root qdisc and its limit, multi-queue, whether
IFF_BACKPRESSURE is set, and the drops of the ring (tx_dropped) and of the
qdisc. Then what to change:

  --db PATH            a results database of ./testbed size-queue: its
                       recommendation (ring, qdisc) per kernel. The campaign:
  --campaign NAME      this one; else the database's only video campaign,
  --profile NAME       or the one of this WAN profile,
  --bitrate RATE       and of the clip closest to this bitrate;
  --cameras N          its points of N cameras (default 1)
  --uplink RATE        otherwise arithmetic from the uplink rate (5mbit, 4M),
  --bitrate RATE       the video bitrate,
  --keyframe-packets N the packets of one keyframe (I-frame),
  --budget-ms MS       the latency a packet may spend queued (default 150),
  --packet-bytes B     the packet size (default 1500); assumptions printed

  --watch SEC   count drops over SEC seconds (default 10; 0: no watch, the
                counters since each device came up decide the exit status)
  --json        JSON instead of the table

Rates: a number with bit, kbit, mbit, gbit or k, m, g (bits per second).
Run as root to see other users' processes (owners). Exit status: 0 no
drops seen, 1 drops seen, 2 bad usage, 3 could not complete.
TXT
}

# Could not complete (a tool failed): exit 3, apart from 1 (drops seen).
doctor_fail() { printf '%s\n' "testbed: doctor: $*" >&2; exit 3; }
# Any other failure (a device gone mid-way) must not read as "drops seen".
trap 'doctor_fail "unexpected failure (line $LINENO)"' ERR

IFF_TAP=0x0002 IFF_BACKPRESSURE=0x0080 IFF_MULTI_QUEUE=0x0100 IFF_PERSIST=0x0800

# rate_bps RATE: bits per second as an integer; nothing when not a rate.
rate_bps() {
	awk -v r="$1" 'BEGIN {
		if (match(r, /^[0-9]+(\.[0-9]+)?/) == 0) exit
		v = substr(r, 1, RLENGTH); u = tolower(substr(r, RLENGTH + 1)); sub(/\/s$/, "", u)
		if (u == "" || u == "bit") m = 1
		else if (u == "k" || u == "kbit") m = 1e3
		else if (u == "m" || u == "mbit") m = 1e6
		else if (u == "g" || u == "gbit") m = 1e9
		else exit
		if (v * m >= 1) printf "%.0f\n", v * m }'
}

positive_int() { [[ $1 =~ ^[0-9]+$ ]] && [ "$((10#$1))" -gt 0 ]; }

watch=10 json=0 db='' campaign='' profile='' uplink='' bitrate='' keyframe='' budget_ms='' packet_bytes='' cameras=''
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--json) json=1 ;;
	--watch | --db | --campaign | --profile | --uplink | --bitrate | --keyframe-packets | --budget-ms | --packet-bytes | --cameras)
		[ $# -ge 2 ] || tb_usage_die "doctor: $1 needs a value"
		case "$1" in
		--watch) watch=$2 ;;
		--db) db=$2 ;;
		--campaign) campaign=$2 ;;
		--profile) profile=$2 ;;
		--uplink) uplink=$2 ;;
		--bitrate) bitrate=$2 ;;
		--keyframe-packets) keyframe=$2 ;;
		--budget-ms) budget_ms=$2 ;;
		--packet-bytes) packet_bytes=$2 ;;
		--cameras) cameras=$2 ;;
		esac
		shift
		;;
	*) tb_usage_die "doctor: unknown option '$1'" ;;
	esac
	shift
done

[[ $watch =~ ^[0-9]+$ ]] || tb_usage_die "doctor: --watch '$watch' is not a whole number of seconds"
watch=$((10#$watch))
uplink_bps='' bitrate_bps=''
if [ -n "$uplink" ]; then
	uplink_bps=$(rate_bps "$uplink")
	[ -n "$uplink_bps" ] || tb_usage_die "doctor: --uplink '$uplink' is not a rate (e.g. 5mbit, 4M)"
fi
if [ -n "$bitrate" ]; then
	bitrate_bps=$(rate_bps "$bitrate")
	[ -n "$bitrate_bps" ] || tb_usage_die "doctor: --bitrate '$bitrate' is not a rate (e.g. 4mbit, 1500kbit)"
fi
if [ -n "$keyframe" ]; then
	positive_int "$keyframe" || tb_usage_die "doctor: --keyframe-packets '$keyframe' is not a positive whole number"
	keyframe=$((10#$keyframe))
fi
for opt in budget_ms packet_bytes; do
	if [ -n "${!opt}" ]; then
		positive_int "${!opt}" || tb_usage_die "doctor: --${opt//_/-} '${!opt}' is not a positive whole number"
		[ -n "$uplink" ] || tb_usage_die "doctor: --${opt//_/-} needs --uplink (the arithmetic)"
		printf -v "$opt" '%d' "$((10#${!opt}))"
	fi
done
arithmetic=0
if [ -n "$uplink" ] || [ -n "$keyframe" ]; then
	[ -n "$uplink" ] || tb_usage_die "doctor: --keyframe-packets needs --uplink and --bitrate"
	[ -n "$bitrate" ] || tb_usage_die "doctor: --uplink needs --bitrate (the video's rate)"
	[ -n "$keyframe" ] || tb_usage_die "doctor: --uplink needs --keyframe-packets (the packets of one keyframe)"
	arithmetic=1
fi
budget_ms=${budget_ms:-150} packet_bytes=${packet_bytes:-1500}
if [ -z "$db" ]; then
	[ -z "$campaign" ] || tb_usage_die "doctor: --campaign needs --db"
	[ -z "$profile" ] || tb_usage_die "doctor: --profile needs --db"
	[ -z "$bitrate" ] || [ "$arithmetic" -eq 1 ] || tb_usage_die "doctor: --bitrate needs --db or --uplink"
	[ -z "$cameras" ] || tb_usage_die "doctor: --cameras needs --db"
else
	case "${cameras:=1}" in [1-8]) ;; *) tb_usage_die "doctor: --cameras '$cameras': a number of cameras, 1 to 8" ;; esac
	[ -f "$db" ] || tb_usage_die "doctor: --db '$db': no such file"
fi

# --- the size-queue answer (before the watch: a bad --db is a usage error) --

sq_campaign='' sq_recs=()
if [ -n "$db" ]; then
	tb_have sqlite3 || doctor_fail "sqlite3 is missing (apt-get install sqlite3)"
	rows=$(sqlite3 -readonly -separator $'\t' "$db" \
		"SELECT DISTINCT campaign, coalesce(profile, ''), coalesce(clip, '') FROM runs WHERE traffic = 'video'" 2>/dev/null) ||
		tb_usage_die "doctor: --db '$db' is not a results database (made by ./testbed size-queue)"
	if [ -n "$campaign" ]; then
		awk -F'\t' -v c="$campaign" '$1 == c { found = 1 } END { exit !found }' <<<"$rows" ||
			tb_usage_die "doctor: --campaign '$campaign' has no video runs in $db (it has: $(cut -f1 <<<"$rows" | sort -u | paste -sd' '))"
		sq_campaign=$campaign
	else
		# Narrow by profile, then by the clip bitrate closest to --bitrate
		# (datasets/clips.conf: name width height fps kbit/s ...).
		want_kbit=''
		[ -z "$bitrate_bps" ] || want_kbit=$((bitrate_bps / 1000))
		mapfile -t cands < <(awk -F'\t' -v p="$profile" -v want="$want_kbit" '
			FNR == NR { if (!/^#/ && NF) { split($0, c, /[ \t]+/); kbit[c[1]] = c[5] } next }
			p != "" && $2 != p { next }
			{ d = 0; if (want != "") { d = ($3 in kbit) ? kbit[$3] - want : 1e12; if (d < 0) d = -d }
			  camp[NR] = $1; dist[NR] = d; if (best == "" || d < best) best = d }
			END { for (i in camp) if (dist[i] == best) print camp[i] }' \
			"$TB_ROOT/datasets/clips.conf" - <<<"$rows" | sort -u)
		case "${#cands[@]}" in
		0) tb_usage_die "doctor: --db '$db' has no video campaign${profile:+ of profile \"$profile\"}" ;;
		1) sq_campaign=${cands[0]} ;;
		*) tb_usage_die "doctor: --db '$db' has ${#cands[@]} campaigns that fit (${cands[*]}): choose one with --campaign" ;;
		esac
	fi
	rc=0
	sq_err=$(mktemp)
	sq_out=$(bash "$TB_ROOT/experiments/size-queue.sh" --from-db "$db" --campaign "$sq_campaign" --cameras "$cameras" \
		2>"$sq_err") || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$sq_err" >&2
		rm -f "$sq_err"
		[ "$rc" -eq 2 ] && exit 2
		doctor_fail "./testbed size-queue --from-db failed (exit $rc)"
	fi
	mapfile -t sq_recs < <(grep '^recommended for ' <<<"$sq_out" || true)
	if [ "${#sq_recs[@]}" -eq 0 ]; then
		cat "$sq_err" >&2
		rm -f "$sq_err"
		doctor_fail "size-queue recommended nothing for campaign '$sq_campaign'"
	fi
	rm -f "$sq_err"
fi

# --- JSON text --------------------------------------------------------------

# json_str TEXT: TEXT as a JSON string (control characters dropped).
json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	s=${s//[$'\001'-$'\037']/}
	printf '"%s"' "$s"
}
# json_num VALUE: the number, or null when empty.
json_num() { if [ -n "$1" ]; then printf '%s' "$1"; else printf 'null'; fi; }
json_bool() { if [ "$1" -eq 1 ]; then printf 'true'; else printf 'false'; fi; }

# --- the machine ------------------------------------------------------------

kernel=$(uname -r)
features='' feature_names='' features_error='' bp_supported=''
helper=${TB_TUNFEATURES:-$TB_BUILD/tools/doctor/tb-tunfeatures}
if [ ! -x "$helper" ]; then
	features_error="$helper is not built (./testbed build)"
elif out=$("$helper" 2>&1); then
	read -r features feature_names <<<"$out"
	bp_supported=$(((features & IFF_BACKPRESSURE) != 0))
else
	features_error=${out#tb-tunfeatures: }
fi
default_qdisc=''
# Host-wide; not visible from every network namespace.
[ -r /proc/sys/net/core/default_qdisc ] && default_qdisc=$(</proc/sys/net/core/default_qdisc)

# Processes holding /dev/net/tun fds, per attached device name: "PID COMM"
# entries separated by newlines. fdinfo's "iff:" names the device; device
# names are per network namespace, so holders in another namespace are
# kept apart (a device of the same name there may be another device).
declare -A owners=() owners_elsewhere=()
self_ns=$(readlink /proc/self/ns/net)
while IFS= read -r fdpath; do
	pid=${fdpath#/proc/}
	pid=${pid%%/*}
	name=''
	{
		while IFS=$'\t' read -r key value; do
			if [ "$key" = "iff:" ]; then name=$value; fi
		done <"/proc/$pid/fdinfo/${fdpath##*/}"
	} 2>/dev/null || continue
	[ -n "$name" ] || continue
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
	ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || ns=''
	entry="$pid $comm"
	if [ "$ns" = "$self_ns" ]; then
		[[ $'\n'"${owners[$name]:-}"$'\n' == *$'\n'"$entry"$'\n'* ]] || owners[$name]+="$entry"$'\n'
	else
		[[ $'\n'"${owners_elsewhere[$name]:-}"$'\n' == *$'\n'"$entry"$'\n'* ]] || owners_elsewhere[$name]+="$entry"$'\n'
	fi
done < <(find /proc/[0-9]*/fd -maxdepth 1 -lname /dev/net/tun 2>/dev/null || true)
can_see_all=1
[ "$(id -u)" -eq 0 ] || can_see_all=0

# qdisc_of DEV: "KIND LIMIT UNIT DROPPED" of the root qdisc ("-" for a
# limit it does not print; pfifo_fast's limit is txqueuelen).
qdisc_of() {
	tc -s qdisc show dev "$1" 2>/dev/null | awk -v txq="$2" '
		/^qdisc / { inroot = 0; for (i = 3; i <= NF; i++) if ($i == "root") inroot = 1
			if (!inroot) next
			kind = $2; limit = "-"; unit = "-"
			for (i = 3; i < NF; i++) if ($i == "limit") { limit = $(i + 1); break }
			if (limit == "-" && kind == "pfifo_fast") { limit = txq; unit = "packets" }
			else if (limit ~ /^[0-9]+p$/) { sub(/p$/, "", limit); unit = "packets" }
			else if (limit ~ /^[0-9]+b$/) { sub(/b$/, "", limit); unit = "bytes" }
			else if (limit ~ /^[0-9.]+Kb$/) { limit = int(limit * 1024); unit = "bytes" }
			else if (limit ~ /^[0-9.]+Mb$/) { limit = int(limit * 1048576); unit = "bytes" }
			else if (limit != "-") { limit = "-" }
			next }
		inroot && /\(dropped / { d = $0; sub(/.*\(dropped /, "", d); sub(/,.*/, "", d); dropped = d }
		END { if (kind != "") print kind, limit, unit, (dropped == "" ? 0 : dropped) }'
}

tc_ok=1
tb_have tc || tc_ok=0
shopt -s nullglob
devs=()
for f in /sys/class/net/*/tun_flags; do
	d=${f%/tun_flags}
	devs+=("${d##*/}")
done
shopt -u nullglob

declare -A dflags=() dtxq=() dqkind=() dqlimit=() dqunit=() dq0=() dq1=() dr0=() dr1=()
for d in "${devs[@]}"; do
	dflags[$d]=$(<"/sys/class/net/$d/tun_flags")
	dtxq[$d]=$(<"/sys/class/net/$d/tx_queue_len")
done
# read_counters SLOT: ring and qdisc drop counters of every device.
read_counters() {
	local d q kind limit unit dropped
	for d in "${devs[@]}"; do
		q=''
		[ "$tc_ok" -eq 0 ] || q=$(qdisc_of "$d" "${dtxq[$d]}")
		read -r kind limit unit dropped <<<"${q:-- - - -}"
		[ "$1" -eq 1 ] || { dqkind[$d]=$kind; dqlimit[$d]=$limit; dqunit[$d]=$unit; }
		if [ "$1" -eq 0 ]; then
			dq0[$d]=$dropped
			dr0[$d]=$(<"/sys/class/net/$d/statistics/tx_dropped")
		else
			dq1[$d]=$dropped
			dr1[$d]=$(<"/sys/class/net/$d/statistics/tx_dropped")
		fi
	done
}
read_counters 0
watched=0
if [ "$watch" -gt 0 ] && [ "${#devs[@]}" -gt 0 ]; then
	tb_log "doctor: watching the drops of ${#devs[@]} TUN/TAP device(s) for $watch s"
	sleep "$watch"
	read_counters 1
	watched=1
fi

# The verdict: drops during the watch, or (no watch) since the device came up.
drops_seen=0 verdict=()
for d in "${devs[@]}"; do
	if [ "$watched" -eq 1 ]; then
		ring=$((dr1[$d] - dr0[$d]))
		qd=-
		[ "${dq1[$d]}" = - ] || qd=$((dq1[$d] - dq0[$d]))
	else
		ring=${dr0[$d]} qd=${dq0[$d]}
	fi
	[ "$ring" -eq 0 ] || verdict+=("$d: ring $ring")
	[ "$qd" = - ] || [ "$qd" -eq 0 ] || verdict+=("$d: qdisc $qd")
done
[ "${#verdict[@]}" -eq 0 ] || drops_seen=1

# --- what to change ---------------------------------------------------------

# Which kernel's recommendation applies here: the patched behaviour only
# when the kernel offers the flag and every TUN device has it set.
applies=stock
if [ "${bp_supported:-0}" -eq 1 ] && [ "${#devs[@]}" -gt 0 ]; then
	applies=patched
	for d in "${devs[@]}"; do
		(((dflags[$d] & IFF_BACKPRESSURE) != 0)) || applies=stock
	done
fi

if [ "$arithmetic" -eq 1 ]; then
	# Packets of PACKET_BYTES the uplink sends in the budget, and the time
	# a keyframe burst needs to cross it.
	budget_pkts=$(awk -v u="$uplink_bps" -v t="$budget_ms" -v b="$packet_bytes" 'BEGIN { printf "%d", u * t / 1000 / (8 * b) }')
	keyframe_ms=$(awk -v u="$uplink_bps" -v k="$keyframe" -v b="$packet_bytes" 'BEGIN { printf "%.1f", k * b * 8 * 1000 / u }')
	warnings=()
	qdisc_limit=$budget_pkts
	if [ "$budget_pkts" -eq 0 ]; then
		qdisc_limit=1
		warnings+=("the uplink drains less than one packet in the budget: a qdisc limit of 1 is the least that passes anything")
	fi
	[ "$bitrate_bps" -lt "$uplink_bps" ] ||
		warnings+=("the video ($bitrate_bps bit/s) needs the whole uplink ($uplink_bps bit/s) or more: no queue size helps; lower the bitrate")
	[ "$keyframe" -le "$budget_pkts" ] ||
		warnings+=("one keyframe ($keyframe packets) takes $keyframe_ms ms to cross the uplink, more than the ${budget_ms} ms budget: no queue keeps it within the budget; use smaller keyframes or a larger budget")
fi

# --- output -----------------------------------------------------------------

# drops_text TOTAL_BEFORE AFTER: "N in S s, M total" / "M total".
drops_text() {
	if [ "$1" = - ]; then printf -- '-'; return; fi
	if [ "$watched" -eq 1 ]; then
		printf '%d in %d s, %d total' "$(($2 - $1))" "$watch" "$2"
	else
		printf '%d total' "$1"
	fi
}
# joined LINES: the lines joined by ", ".
joined() {
	local line out=''
	while IFS= read -r line; do
		[ -z "$line" ] || out+="${out:+, }$line"
	done <<<"$1"
	printf '%s' "$out"
}
# owners_text DEV: "PID COMM, PID COMM" (in another namespace marked).
owners_text() {
	local text
	text=$(joined "${owners[$1]:-}")
	if [ -z "$text" ] && [ -n "${owners_elsewhere[$1]:-}" ]; then
		text="$(joined "${owners_elsewhere[$1]}") (other netns?)"
	fi
	if [ -z "$text" ]; then
		if [ "$can_see_all" -eq 1 ]; then text='none (persistent, unattached)'; else text='? (run as root)'; fi
	fi
	printf '%s' "$text"
}
dev_type() { if (($1 & IFF_TAP)); then printf 'tap'; else printf 'tun'; fi; }
yes_no() { if [ "$1" -ne 0 ]; then printf 'yes'; else printf 'no'; fi; }

if [ "$json" -eq 1 ]; then
	{
		printf '{\n  "kernel": %s,\n' "$(json_str "$kernel")"
		if [ -n "$features" ]; then
			printf '  "tun_features": %s,\n  "tun_feature_names": [' "$(json_str "$features")"
			sep=''
			read -r -a names <<<"$feature_names"
			for n in "${names[@]}"; do printf '%s%s' "$sep" "$(json_str "$n")"; sep=', '; done
			printf '],\n  "backpressure_supported": %s,\n' "$(json_bool "$bp_supported")"
		else
			printf '  "tun_features": null,\n  "tun_feature_names": null,\n  "backpressure_supported": null,\n'
			printf '  "tun_features_error": %s,\n' "$(json_str "$features_error")"
		fi
		if [ -n "$default_qdisc" ]; then
			printf '  "default_qdisc": %s,\n' "$(json_str "$default_qdisc")"
		else
			printf '  "default_qdisc": null,\n'
		fi
		printf '  "watch_s": %d,\n  "devices": [' "$([ "$watched" -eq 1 ] && echo "$watch" || echo 0)"
		sep=''
		for d in "${devs[@]}"; do
			fl=${dflags[$d]}
			printf '%s\n    {"name": %s, "type": "%s", "tun_flags": "0x%04x",\n' "$sep" "$(json_str "$d")" \
				"$(dev_type "$fl")" "$fl"
			printf '     "owners": ['
			osep=''
			for kind in same other; do
				if [ $kind = same ]; then list=${owners[$d]:-}; else list=${owners_elsewhere[$d]:-}; fi
				while IFS= read -r entry; do
					[ -n "$entry" ] || continue
					printf '%s{"pid": %d, "comm": %s, "same_netns": %s}' "$osep" "${entry%% *}" \
						"$(json_str "${entry#* }")" "$([ $kind = same ] && echo true || echo false)"
					osep=', '
				done <<<"$list"
			done
			printf '],\n     "txqueuelen": %d, "multi_queue": %s, "backpressure": %s, "persist": %s,\n' \
				"${dtxq[$d]}" "$(json_bool $(((fl & IFF_MULTI_QUEUE) != 0)))" \
				"$(json_bool $(((fl & IFF_BACKPRESSURE) != 0)))" "$(json_bool $(((fl & IFF_PERSIST) != 0)))"
			if [ "${dqkind[$d]}" = - ]; then
				printf '     "qdisc": null,\n'
			else
				lim=${dqlimit[$d]} unit=${dqunit[$d]}
				[ "$lim" != - ] || lim=''
				[ "$unit" != - ] || unit=''
				printf '     "qdisc": {"kind": %s, "limit": %s, "limit_unit": %s, "dropped_total": %d, "dropped_watch": %s},\n' \
					"$(json_str "${dqkind[$d]}")" "$(json_num "$lim")" \
					"$([ -n "$unit" ] && json_str "$unit" || echo null)" \
					"$([ "$watched" -eq 1 ] && echo "${dq1[$d]}" || echo "${dq0[$d]}")" \
					"$([ "$watched" -eq 1 ] && echo $((dq1[$d] - dq0[$d])) || echo null)"
			fi
			printf '     "ring": {"tx_dropped_total": %d, "tx_dropped_watch": %s}}' \
				"$([ "$watched" -eq 1 ] && echo "${dr1[$d]}" || echo "${dr0[$d]}")" \
				"$([ "$watched" -eq 1 ] && echo $((dr1[$d] - dr0[$d])) || echo null)"
			sep=','
		done
		[ "${#devs[@]}" -eq 0 ] || printf '\n  '
		printf '],\n  "drops_seen": %s,\n  "recommendation_applies_to": %s,\n  "advice": [' \
			"$(json_bool "$drops_seen")" "$(json_str "$applies")"
		sep=''
		if [ -n "$db" ]; then
			printf '\n    {"source": "size-queue", "db": %s, "campaign": %s, "recommendations": [' \
				"$(json_str "$db")" "$(json_str "$sq_campaign")"
			rsep=''
			for r in "${sq_recs[@]}"; do
				# "recommended for KERNEL[ (CONTEXT)]: ring R, qdisc Q: DETAIL"; the
				# context (profile, VPN, clip) only when the campaign has several
				r=${r/ (*)): /: }
				if [[ $r =~ ^recommended\ for\ ([^:]+):\ ring\ ([0-9]+),\ qdisc\ ([^:]+):\ (.*)$ ]]; then
					printf '%s\n      {"kernel": %s, "ring": %d, "qdisc": %s, "detail": %s}' "$rsep" \
						"$(json_str "${BASH_REMATCH[1]}")" "${BASH_REMATCH[2]}" \
						"$(json_str "${BASH_REMATCH[3]}")" "$(json_str "${BASH_REMATCH[4]}")"
				elif [[ $r =~ ^recommended\ for\ ([^:]+):\ (.*)$ ]]; then
					printf '%s\n      {"kernel": %s, "ring": null, "qdisc": null, "detail": %s}' "$rsep" \
						"$(json_str "${BASH_REMATCH[1]}")" "$(json_str "${BASH_REMATCH[2]}")"
				fi
				rsep=','
			done
			printf ']}'
			sep=','
		fi
		if [ "$arithmetic" -eq 1 ]; then
			printf '%s\n    {"source": "arithmetic", "uplink_bps": %s, "bitrate_bps": %s, "keyframe_packets": %d,' \
				"$sep" "$uplink_bps" "$bitrate_bps" "$keyframe"
			printf ' "packet_bytes": %d, "budget_ms": %d,\n     "budget_packets": %d, "keyframe_ms": %s, "ring": %d,' \
				"$packet_bytes" "$budget_ms" "$budget_pkts" "$keyframe_ms" "$keyframe"
			printf ' "qdisc": %s, "qdisc_limit": %d,\n     "formulas": [%s, %s, %s],\n     "warnings": [' \
				"$(json_str "pfifo limit $qdisc_limit")" "$qdisc_limit" \
				"$(json_str "budget_packets = floor(uplink_bps * budget_ms / 1000 / (8 * packet_bytes))")" \
				"$(json_str "ring = keyframe_packets")" "$(json_str "qdisc_limit = max(budget_packets, 1)")"
			wsep=''
			for w in "${warnings[@]}"; do printf '%s%s' "$wsep" "$(json_str "$w")"; wsep=', '; done
			printf ']}'
		fi
		printf '\n  ]\n}\n'
	}
	exit "$drops_seen"
fi

# The table.
printf 'kernel            %s\n' "$kernel"
if [ -n "$features" ]; then
	printf 'TUNGETFEATURES    %s %s\n' "$features" "$feature_names"
	if [ "$bp_supported" -eq 1 ]; then
		printf 'IFF_BACKPRESSURE  supported: a TUN created with it stops its queue instead of dropping (with a qdisc)\n'
	else
		printf 'IFF_BACKPRESSURE  not supported: a full ring drops packets (tail-drop), whatever the qdisc\n'
	fi
else
	printf 'TUNGETFEATURES    unknown: %s\n' "$features_error"
fi
printf 'default qdisc     %s\n' "${default_qdisc:-unknown (not visible in this network namespace)}"
if [ "$watched" -eq 1 ]; then
	printf 'watch             %d s\n' "$watch"
elif [ "${#devs[@]}" -eq 0 ]; then
	printf 'watch             none: no TUN/TAP device to watch\n'
else
	printf 'watch             none: drops counted since each device came up\n'
fi
echo
if [ "${#devs[@]}" -eq 0 ]; then
	echo "no TUN/TAP device in this network namespace"
else
	# Columns sized to their widest cell.
	rows=("device|type|owner (pid comm)|txqueuelen|qdisc|limit|multi-queue|backpressure|ring drops|qdisc drops")
	for d in "${devs[@]}"; do
		fl=${dflags[$d]}
		lim=${dqlimit[$d]}
		case "${dqunit[$d]}" in packets) lim+=p ;; bytes) lim+=b ;; esac
		[ "${dqkind[$d]}" != pfifo_fast ] || lim+=" (txqueuelen)"
		bp=off
		(((fl & IFF_BACKPRESSURE) == 0)) || bp=on
		rows+=("$d|$(dev_type "$fl")|$(owners_text "$d")|${dtxq[$d]}|${dqkind[$d]}|$lim|$(yes_no $((fl & IFF_MULTI_QUEUE)))|$bp|$(drops_text "${dr0[$d]}" "${dr1[$d]:-}")|$(drops_text "${dq0[$d]}" "${dq1[$d]:-}")")
	done
	widths=()
	for row in "${rows[@]}"; do
		IFS='|' read -r -a cells <<<"$row"
		for i in "${!cells[@]}"; do
			[ "${widths[$i]:-0}" -ge "${#cells[$i]}" ] || widths[i]=${#cells[$i]}
		done
	done
	for row in "${rows[@]}"; do
		IFS='|' read -r -a cells <<<"$row"
		line=''
		for i in "${!cells[@]}"; do
			printf -v cell '%-*s' "${widths[$i]}" "${cells[$i]}"
			line+="$cell  "
		done
		printf '%s\n' "${line%"${line##*[! ]}"}"
	done
fi
echo
if [ "$drops_seen" -eq 1 ]; then
	printf 'drops seen%s: %s\n' "$([ "$watched" -eq 1 ] && echo " in $watch s" || echo " since the devices came up")" \
		"$(joined "$(printf '%s\n' "${verdict[@]}")")"
elif [ "${#devs[@]}" -eq 0 ]; then
	printf 'no drops seen (no TUN/TAP device)\n'
else
	printf 'no drops seen%s\n' "$([ "$watched" -eq 1 ] && echo " in $watch s" || echo " since the devices came up")"
fi

echo
echo "what to change"
dev_hint=${devs[0]:-tun0}
if [ "$applies" = stock ]; then
	echo "  this machine tail-drops on a full ring (kernel without IFF_BACKPRESSURE, or the flag not set):"
	echo "  the qdisc on the tun never holds a burst, the ring must; the 'stock' numbers apply"
	# The kernel has the flag but a device does not: how its owner gets it.
	# A Go VPN (wireguard-go) makes its TUN with raw system calls, out of the
	# preload's reach; it takes a ready one from WG_TUN_FD (tools/tun-exec).
	if [ "$bp_supported" = 1 ]; then
		for d in "${devs[@]}"; do
			(((dflags[$d] & IFF_BACKPRESSURE) == 0)) || continue
			owner=$(joined "${owners[$d]:-}")
			case " $owner" in
			*" wireguard-go"*)
				printf '  %s (%s): tb-tun-exec --dev %s --backpressure --pi -- wireguard-go -f %s  (tools/preload/README.md)\n' \
					"$d" "$owner" "$d" "$d"
				;;
			*) printf '  %s (%s): start its owner with LD_PRELOAD=%s\n' "$d" "${owner:-owner unknown}" \
				"$TB_BUILD/tools/preload/libtb-backpressure.so" ;;
			esac
		done
	fi
else
	echo "  the kernel offers IFF_BACKPRESSURE and every TUN here has it: the patched numbers apply"
fi
if [ -z "$db" ] && [ "$arithmetic" -eq 0 ]; then
	echo "  give --db (a ./testbed size-queue database) or --uplink, --bitrate and --keyframe-packets for numbers"
fi
if [ -n "$db" ]; then
	echo
	echo "  ./testbed size-queue --from-db $db --campaign $sq_campaign --cameras $cameras:"
	for r in "${sq_recs[@]}"; do printf '    %s\n' "$r"; done
	# The stock row, or on a machine with the flag the closest patched one.
	wanted=(stock)
	[ "$applies" = stock ] || wanted=(backpressure nodrop-qdisc nodrop-v2)
	for k in "${wanted[@]}"; do
		# the first context's (they are named when the campaign has several)
		r=$(printf '%s\n' "${sq_recs[@]/ (*)): /: }" | grep -m1 "^recommended for $k: ring " || true)
		if [[ $r =~ ^recommended\ for\ [^:]+:\ ring\ ([0-9]+),\ qdisc\ ([^:]+): ]]; then
			printf '  for this machine (%s): ip link set dev %s txqueuelen %s; tc qdisc replace dev %s root %s\n' \
				"$k" "$dev_hint" "${BASH_REMATCH[1]}" "$dev_hint" "${BASH_REMATCH[2]}"
			break
		fi
	done
fi
if [ "$arithmetic" -eq 1 ]; then
	echo
	printf '  assumptions: uplink %s bit/s, video %s bit/s, keyframe %d packets of %d bytes sent back-to-back,\n' \
		"$uplink_bps" "$bitrate_bps" "$keyframe" "$packet_bytes"
	printf '  latency budget %d ms for a packet waiting in a queue; the VPN may stall for a whole keyframe\n' "$budget_ms"
	printf '  packets the uplink drains in the budget = %s x %d / 1000 / (8 x %d) = %d\n' \
		"$uplink_bps" "$budget_ms" "$packet_bytes" "$budget_pkts"
	printf '  a keyframe crosses the uplink in %d x %d x 8 / %s = %s ms\n' \
		"$keyframe" "$packet_bytes" "$uplink_bps" "$keyframe_ms"
	printf '  ring (txqueuelen) >= keyframe packets: %d, so an I-frame burst fits\n' "$keyframe"
	printf '  qdisc limit = packets drained in the budget: %d (it holds the burst once IFF_BACKPRESSURE is set;\n' "$qdisc_limit"
	printf '  deeper only holds packets that arrive too late)\n'
	if [ "$applies" = stock ]; then
		printf '  without backpressure the ring is the queue: keep it <= %d too\n' "$qdisc_limit"
	fi
	printf '  for this machine: ip link set dev %s txqueuelen %d; tc qdisc replace dev %s root pfifo limit %d\n' \
		"$dev_hint" "$keyframe" "$dev_hint" "$qdisc_limit"
	for w in "${warnings[@]}"; do printf '  warning: %s\n' "$w"; done
fi
exit "$drops_seen"
