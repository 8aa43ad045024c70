#!/usr/bin/env bash
# ./testbed size-queue: for a team's own uplink profile and video bitrate,
# sweep ring sizes and qdiscs in a stock and a patched kernel, and recommend
# per kernel the configuration that lost no packet on the robot (ring, qdisc,
# socket: what the sizing decides; the WAN's own loss is reported, not held
# against it) in any repetition, with the lowest p95 frame latency (a point
# within 1 ms of the lowest ties with it; ties go to the smaller ring), and
# the table behind it. Video points only.
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../analysis/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed size-queue --profile NAME --bitrate RATE|--clip NAME [--cameras N] [--vpn VPN] [--qdisc SPEC]...
                            [--rings LIST] [--kernels LIST] [--repetitions N] [--duration S] [--db PATH]
       ./testbed size-queue --from-db PATH --campaign NAME [--cameras N]
                            (recommend from existing runs; --cameras: of that many cameras only)

  --profile NAME   the uplink, a netem-profiles/NAME.profile
  --bitrate RATE   the video's bitrate, e.g. 4mbit, 1500kbit: the clip with the
                   closest bitrate in datasets/clips.conf is replayed
  --clip NAME      instead of --bitrate: replay this clip, e.g. your own
                   recording imported with ./testbed clips import
  --cameras N      the robot's cameras, 1 to 8 (default 1): N streams of the
                   clip with their keyframes aligned, through one tun
  --vpn VPN        openvpn (default) or wireguard-go
  --qdisc SPEC     a qdisc on the robot's tun to try (repeatable; default:
                   pfifo_fast, 'pfifo limit 25000', fq_codel)
  --rings LIST     ring sizes (default 1,5,10,25,50,100,250,500)
  --kernels LIST   default stock,nodrop-v2 (a stock and a patched kernel)
  --repetitions N  default 2;  --duration S  default 8
  --db PATH        default results/size-queue.db
TXT
}

profile='' bitrate='' qdiscs=() rings=1,5,10,25,50,100,250,500 kernels=stock,nodrop-v2 reps=2
duration=8 db=$TB_ROOT/results/size-queue.db from_db='' campaign='' clip='' vpn=openvpn cameras=1 cameras_given=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--profile | --bitrate | --clip | --cameras | --vpn | --qdisc | --rings | --kernels | --repetitions | --duration | --db | --from-db | --campaign)
		[ $# -ge 2 ] || tb_usage_die "size-queue: $1 needs a value"
		case "$1" in
		--profile) profile=$2 ;;
		--bitrate) bitrate=$2 ;;
		--clip) clip=$2 ;;
		--cameras) cameras=$2 cameras_given=1 ;;
		--vpn) vpn=$2 ;;
		--qdisc) qdiscs+=("$2") ;;
		--rings) rings=$2 ;;
		--kernels) kernels=$2 ;;
		--repetitions) reps=$2 ;;
		--duration) duration=$2 ;;
		--db) db=$2 ;;
		--from-db) from_db=$2 ;;
		--campaign) campaign=$2 ;;
		esac
		shift
		;;
	*) tb_usage_die "size-queue: unknown option '$1'" ;;
	esac
	shift
done

# rate_kbit "4mbit" -> 4000; empty if not a rate
rate_kbit() {
	awk -v r="$1" 'BEGIN {
		if (match(r, /^[0-9]+(\.[0-9]+)?/) == 0) exit
		v = substr(r, 1, RLENGTH); u = tolower(substr(r, RLENGTH + 1))
		if (u == "mbit" || u == "m" || u == "mbit/s") v *= 1000
		else if (u == "kbit" || u == "k" || u == "kbit/s") v += 0
		else if (u == "gbit" || u == "g") v *= 1000000
		else exit
		if (v > 0) printf "%d\n", v }'
}

recommend() { # recommend DB CAMPAIGN [CAMERAS]
	local points cpoints context contexts=() where label for c_profile c_vpn c_clip c_cameras
	tb_db_open "$1"
	# Video points only: a campaign may hold TCP runs too.
	points="point_summary WHERE $(tb_campaign_is "$2") AND traffic = 'video'"
	if [ -n "${3:-}" ]; then
		[ "$(tb_sql -list "SELECT count(*) FROM $points AND coalesce(cameras, 1) = $3")" -gt 0 ] ||
			tb_die "size-queue: campaign '$2' has no video points with $3 camera(s) (it has: $(tb_sql -list \
				"SELECT group_concat(c, ', ') FROM (SELECT DISTINCT coalesce(cameras, 1) AS c FROM $points ORDER BY c)"))"
		points="$points AND coalesce(cameras, 1) = $3"
	fi
	# What a team sizes for (its uplink, VPN, camera count and clip): one
	# recommendation each, never one ring for a robot with 1 camera taken
	# from the runs of 4 (the context is named when the campaign has several).
	mapfile -t contexts < <(tb_sql -list -separator $'\t' "SELECT DISTINCT profile, vpn, clip, coalesce(cameras, 1)
		FROM $points ORDER BY profile, vpn, clip, coalesce(cameras, 1)")
	for context in "${contexts[@]}"; do
		IFS=$'\t' read -r c_profile c_vpn c_clip c_cameras <<<"$context"
		where="profile = $(tb_lit "$c_profile") AND vpn = $(tb_lit "$c_vpn") AND clip = $(tb_lit "$c_clip")
			AND coalesce(cameras, 1) = $c_cameras"
		cpoints="$points AND $where" label='' for=''
		if [ "${#contexts[@]}" -gt 1 ]; then
			label="profile $c_profile, $c_vpn, clip $c_clip, $c_cameras camera(s)"
			for=" ($label)"
			echo
			echo "== $label"
		fi
		recommend_kernels "$cpoints" "$for"
	done
}

recommend_kernels() { # recommend_kernels POINTS FOR: per kernel, of these points
	local k points=$1 for=$2 kpoints best
	for k in $(tb_sql -list "SELECT DISTINCT kernel FROM $points ORDER BY kernel != 'stock', kernel"); do
		kpoints="$points AND kernel = $(tb_lit "$k")"
		echo
		echo "kernel $k: every point (robot drops: ring + qdisc + socket, the most in one repetition;"
		echo "loss: of all packets sent, WAN included; latency: capture to last packet of complete frames)"
		tb_sql -box "SELECT ring, qdisc$(tb_varying_settings "$kpoints" kernel ring qdisc),
			runs AS n, invalid_runs AS invalid,
			$(tb_num max_local_drops 0) AS 'robot drops', $(tb_num pkt_loss_pct 2) AS 'pkt loss %',
			$(tb_num frame_loss_pct 2) AS 'frame loss %', $(tb_num p50_ms 1) AS 'p50 ms', $(tb_num p95_ms 1) AS 'p95 ms',
			$(tb_num p99_ms 1) AS 'p99 ms', $(tb_num blocked_ms 0) AS 'sender blocked ms'
			FROM $kpoints ORDER BY qdisc, ring"
		# Of the points without a robot-side drop, those within 1 ms of the
		# lowest p95; of these the smallest ring.
		best=$(tb_sql -list "WITH ok AS (SELECT * FROM $kpoints
				AND runs > 0 AND max_local_drops = 0 AND p95_ms IS NOT NULL)
			SELECT 'ring ' || ring || ', qdisc ' || qdisc || ': no packet lost on the robot in '
			|| runs || ' run(s), p95 ' || $(tb_num p95_ms 1) || ' ms, p99 ' || $(tb_num p99_ms 1) || ' ms'
			|| CASE WHEN pkt_loss_pct > 0 THEN printf(' (%.2f %% lost further on: WAN, VPN)', pkt_loss_pct) ELSE '' END
			FROM ok WHERE p95_ms <= (SELECT min(p95_ms) FROM ok) + 1 ORDER BY ring, p95_ms LIMIT 1")
		if [ -n "$best" ]; then
			echo "recommended for $k$for: $best"
		else
			echo "recommended for $k$for: every configuration lost packets on the robot; the fewest: $(tb_sql -list "SELECT 'ring '
				|| ring || ', qdisc ' || qdisc || ': ' || $(tb_num max_local_drops 0) || ' packets in a run, '
				|| $(tb_num pkt_loss_pct 2) || ' % packet loss' FROM $kpoints AND runs > 0
				ORDER BY max_local_drops, pkt_loss_pct, p95_ms LIMIT 1")"
		fi
	done
}

if [ -n "$from_db" ]; then
	[ -n "$campaign" ] || tb_usage_die "size-queue: --from-db needs --campaign"
	case "$cameras" in [1-8]) ;; *) tb_usage_die "size-queue: --cameras '$cameras': a number of cameras, 1 to 8" ;; esac
	if [ "$cameras_given" -eq 1 ]; then recommend "$from_db" "$campaign" "$cameras"; else recommend "$from_db" "$campaign"; fi
	exit 0
fi

[ -n "$profile" ] || tb_usage_die "size-queue: --profile is required"
case "$vpn" in openvpn | wireguard-go) ;; *) tb_usage_die "size-queue: --vpn '$vpn': openvpn or wireguard-go" ;; esac
case "$cameras" in [1-8]) ;; *) tb_usage_die "size-queue: --cameras '$cameras': a number of cameras, 1 to 8" ;; esac
[ "${#qdiscs[@]}" -gt 0 ] || qdiscs=(pfifo_fast "pfifo limit 25000" fq_codel)
if [ -n "$clip" ]; then
	[ -z "$bitrate" ] || tb_usage_die "size-queue: --clip or --bitrate, not both"
	bash "$TB_ROOT/datasets/list.sh" | grep -qxF -- "$clip" ||
		tb_usage_die "size-queue: no clip '$clip' (./testbed clips list; ./testbed clips import FILE for your own)"
	tb_log "video: clip $clip"
else
	[ -n "$bitrate" ] || tb_usage_die "size-queue: --bitrate or --clip is required"
	kbit=$(rate_kbit "$bitrate")
	[ -n "$kbit" ] || tb_usage_die "size-queue: --bitrate '$bitrate' is not a rate (e.g. 4mbit, 1500kbit)"
	clip=$(awk -v want="$kbit" '!/^#/ && NF { d = $5 - want; if (d < 0) d = -d; if (best == "" || d < bd) { best = $1; bd = d; rate = $5 } }
		END { print best, rate }' "$TB_ROOT/datasets/clips.conf")
	read -r clip clip_kbit <<<"$clip"
	tb_log "video: clip $clip ($clip_kbit kbit/s), the closest to $kbit kbit/s"
fi

name=size-queue-$profile-$clip
[ "$vpn" = openvpn ] || name=$name-$vpn
[ "$cameras" -eq 1 ] || name=$name-${cameras}cam
file=$TB_CACHE/runs/$name.sweep
mkdir -p "$(dirname "$file")" "$(dirname "$db")"
qlist=$(printf '%s, ' "${qdiscs[@]}")
cat >"$file" <<SWEEP
# written by ./testbed size-queue
[sweep]
name = $name
repetitions = $reps
duration = ${duration}s

[matrix]
kernel = $kernels
ring = $rings
qdisc = ${qlist%, }
profile = $profile
traffic = video
clip = $clip
cameras = $cameras
vpn = $vpn
SWEEP
bash "$TB_ROOT/experiments/sweep.sh" "$file" --db "$db"
recommend "$db" "$name"
