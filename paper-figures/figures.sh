#!/usr/bin/env bash
# ./testbed figures DB: render the paper's figures from a results database
# with gnuplot, as PNG and SVG. Each figure draws what the database has and
# says what it selected; a figure without data is skipped with the reason.
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../analysis/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed figures DB [--out DIR] [--campaign NAME] [--qdisc SPEC] [--cdf-kernel NAME]

Renders from DB into DIR (default paper-figures/out/):
  fig1-video-loss     video packet and frame loss vs ring size, per kernel
  fig2-tcp-vs-ring    TCP throughput vs ring size at ~120 ms RTT (de-us or lab-rtt-120)
  fig3-tcp-vs-rtt     TCP throughput vs RTT (lab-rtt-* profiles) at ring 500
  fig4-latency-cdf    CDF of frame latency, ring 25 and 500, pfifo beside fq_codel
  fig5-patch-cost     TCP throughput at ring 500 with no link bottleneck (lan)
  fig6-frame-strip    one decoded frame, stock beside patched (runs made with
                      dump_frames set; ./testbed reproduce does that)
each as .png and .svg, plus the data behind them in DIR/data/.
  --qdisc SPEC       qdisc of the runs in figure 1 (default: pfifo limit 25000)
  --cdf-kernel NAME  kernel variant of figure 4 (default: nodrop-v2)
Exit status 1 if no figure could be drawn.
TXT
}

db='' out=$TB_ROOT/paper-figures/out campaign='' qdisc='pfifo limit 25000' cdf_kernel=nodrop-v2
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--out | --campaign | --qdisc | --cdf-kernel)
		[ $# -ge 2 ] || tb_usage_die "figures: $1 needs a value"
		case "$1" in
		--out) out=$2 ;;
		--campaign) campaign=$2 ;;
		--qdisc) qdisc=$2 ;;
		--cdf-kernel) cdf_kernel=$2 ;;
		esac
		shift
		;;
	-*) tb_usage_die "figures: unknown option '$1'" ;;
	*) [ -z "$db" ] || tb_usage_die "figures: one database only"; db=$1 ;;
	esac
	shift
done
[ -n "$db" ] || tb_usage_die "figures: which database?"
tb_db_open "$db"
tb_have gnuplot || tb_die "gnuplot is missing (./testbed setup)"

data=$out/data
mkdir -p "$data"
rm -f "$data"/*.dat
in_campaign=$(tb_campaign_is "$campaign")
where="valid = 1 AND $in_campaign"
sql() { tb_sql -list -separator $'\t' "$1"; }
pub=$TB_ROOT/datasets/published
drawn=0 skipped=0

# render NAME GNUPLOT_VARS...: PNG and SVG of paper-figures/NAME.gp
render() {
	local name=$1 t v vars=()
	shift
	for v in "$@"; do vars+=(-e "$v"); done
	for t in png svg; do
		gnuplot -e "term='$t'; out='$out/$name.$t'; dir='$TB_ROOT/paper-figures'; data='$data'; pub='$pub'" \
			"${vars[@]}" "$TB_ROOT/paper-figures/$name.gp"
	done
	printf 'figure %s: %s.png, %s.svg\n' "$name" "$out/$name" "$out/$name"
	drawn=$((drawn + 1))
}
skip() {
	printf 'figure %s skipped: %s\n' "$1" "$2" >&2
	skipped=$((skipped + 1))
}
# kernels_with FILE_PREFIX: the kernels that got a data file, as a word list
kernels_with() {
	local f k list=''
	for f in "$data/$1"-*.dat; do
		[ -f "$f" ] || continue
		k=${f##*/"$1"-}
		k=${k%.dat}
		case "$k" in paper-*) continue ;; esac
		list="$list $k"
	done
	printf '%s' "${list# }"
}
# split_by_kernel PREFIX: stdin rows "kernel<TAB>..." into PREFIX-kernel.dat
split_by_kernel() { awk -F'\t' -v p="$data/$1" '{ f = p "-" $1 ".dat"; sub(/^[^\t]*\t/, ""); print > f }'; }
# paper_tcp PREFIX CSV: the paper's OpenVPN throughput, per kernel (stock,
# patched), from datasets/published/CSV (x, vpn, kernel, Mbit/s) into
# PREFIX-paper-KERNEL.dat
paper_tcp() {
	local k
	for k in stock patched; do
		awk -F, -v k="$k" '$2 == "openvpn" && $3 == k { print $1 "\t" $4 }' "$pub/$2" | sort -n >"$data/$1-paper-$k.dat"
	done
}

# --- 1: video loss vs ring ------------------------------------------------------
profile1=$(sql "SELECT profile FROM run_summary WHERE $where AND traffic = 'video' AND qdisc = $(tb_lit "$qdisc")
	GROUP BY profile ORDER BY count(DISTINCT ring) DESC, count(*) DESC LIMIT 1")
if [ -n "$profile1" ]; then
	sql "SELECT kernel, ring, pkt_loss_pct, coalesce(pkt_loss_sd, 0), frame_loss_pct, coalesce(frame_loss_sd, 0), runs
		FROM point_summary WHERE runs > 0 AND traffic = 'video' AND qdisc = $(tb_lit "$qdisc")
		AND profile = $(tb_lit "$profile1") AND $in_campaign
		ORDER BY kernel, ring" | split_by_kernel fig1
	# The paper's two published video points (datasets/published/headline.csv).
	awk -F, '$1 == "video_packet_loss_max" && $3 == "stock" { print $2 "\t" $4 }' "$pub/headline.csv" >"$data/fig1-paper-stock.dat"
	awk -F, '$1 == "video_packet_loss" && $3 == "patched" { print $2 "\t" $4 }' "$pub/headline.csv" >"$data/fig1-paper-patched.dat"
	render fig1-video-loss "kernels='$(kernels_with fig1)'" "subtitle='$profile1, $qdisc'"
else
	skip fig1-video-loss "no valid video runs with qdisc '$qdisc'"
fi

# --- 2: TCP vs ring at ~120 ms ------------------------------------------------------
profile2=$(sql "SELECT profile FROM run_summary WHERE $where AND traffic = 'tcp' AND profile IN ('de-us', 'lab-rtt-120')
	GROUP BY profile ORDER BY count(DISTINCT ring) DESC LIMIT 1")
if [ -n "$profile2" ]; then
	sql "SELECT kernel, ring, avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0) FROM point_summary
		WHERE runs > 0 AND traffic = 'tcp' AND profile = $(tb_lit "$profile2")
		AND $in_campaign
		GROUP BY kernel, ring ORDER BY kernel, ring" | split_by_kernel fig2
	paper_tcp fig2 tcp_vs_queue_120ms.csv
	render fig2-tcp-vs-ring "kernels='$(kernels_with fig2)'" "subtitle='profile $profile2'"
else
	skip fig2-tcp-vs-ring "no valid TCP runs with profile de-us or lab-rtt-120"
fi

# --- 3: TCP vs RTT at ring 500 -----------------------------------------------------
sql "SELECT kernel, CAST(substr(profile, 9) AS INTEGER), avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0)
	FROM point_summary WHERE runs > 0 AND traffic = 'tcp' AND ring = 500 AND profile LIKE 'lab-rtt-%'
	AND $in_campaign
	GROUP BY 1, 2 ORDER BY 1, 2" | split_by_kernel fig3
if [ -n "$(kernels_with fig3)" ]; then
	paper_tcp fig3 tcp_vs_rtt_lab.csv
	render fig3-tcp-vs-rtt "kernels='$(kernels_with fig3)'" "subtitle='lab-rtt profiles'"
else
	skip fig3-tcp-vs-rtt "no valid TCP runs at ring 500 with lab-rtt-* profiles"
fi

# --- 4: latency CDF ---------------------------------------------------------------------
curves=''
for ring in 25 500; do
	for q in pfifo fq_codel; do
		name="ring-$ring-$q"
		sql "WITH l AS (SELECT f.latency_ns / 1e6 AS ms FROM frames_recv f JOIN run_summary r ON r.run_id = f.run_id
			WHERE r.$where AND r.kernel = $(tb_lit "$cdf_kernel") AND r.traffic = 'video' AND r.ring = $ring
			AND (r.qdisc = $(tb_lit "$q") OR r.qdisc LIKE $(tb_lit "$q %"))
			AND f.complete = 1 AND f.latency_ns IS NOT NULL)
			SELECT ms, CAST(row_number() OVER (ORDER BY ms) AS REAL) / count(*) OVER () FROM l ORDER BY ms" \
			>"$data/fig4-$name.dat"
		if [ -s "$data/fig4-$name.dat" ]; then curves="$curves $name"; else rm -f "$data/fig4-$name.dat"; fi
	done
done
if [ -n "$curves" ]; then
	render fig4-latency-cdf "curves='${curves# }'" "cdf_kernel='$cdf_kernel'" "subtitle='video'"
else
	skip fig4-latency-cdf "no valid video runs of $cdf_kernel at ring 25 or 500 with pfifo or fq_codel"
fi

# --- 5: patch cost at ring 500, no link bottleneck ----------------------------------------
sql "SELECT kernel, avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0), sum(runs) FROM point_summary
	WHERE runs > 0 AND traffic = 'tcp' AND ring = 500 AND profile = 'lan'
	AND $in_campaign
	GROUP BY kernel ORDER BY kernel = 'stock' DESC, kernel" >"$data/fig5.dat"
if [ -s "$data/fig5.dat" ]; then
	cost=$(awk -F'\t' '$1 == "stock" { s = $2 } $1 != "stock" && !p { p = $2; k = $1 }
		END { if (s > 0 && p != "") printf "%s vs stock: %+.1f %% (paper: -4 %%)", k, 100 * (p - s) / s; else print "paper: -4 % for the patch" }' "$data/fig5.dat")
	render fig5-patch-cost "cost_label='$cost'" "subtitle='profile lan'"
else
	rm -f "$data/fig5.dat"
	skip fig5-patch-cost "no valid TCP runs at ring 500 with profile lan"
fi

# --- 6: a strip of the same frames, stock beside patched -------------------------------
# Up to three frame numbers with a picture from a stock and a patched run, in
# any campaign: these pictures come from runs made for them (--campaign does
# not apply). One row per kernel, one column per frame.
mapfile -t frames6 < <(sql "SELECT i.frame_no FROM frame_images i JOIN runs r ON r.id = i.run_id
	WHERE r.status = 'done'
	GROUP BY i.frame_no HAVING sum(r.kernel = 'stock') > 0 AND sum(r.kernel != 'stock') > 0
	ORDER BY i.frame_no LIMIT 3")
if [ "${#frames6[@]}" -gt 0 ]; then
	in_list=$(IFS=,; printf '%s' "${frames6[*]}")
	vars=() n=0 rows=0 last=''
	while IFS=$'\t' read -r id kernel ring run_qdisc frame complete decodable; do
		n=$((n + 1))
		[ "$kernel" = "$last" ] || rows=$((rows + 1))
		last=$kernel
		sql "SELECT writefile('$data/fig6-$n.png', png) FROM frame_images
			WHERE run_id = $id AND frame_no = $frame LIMIT 1" >/dev/null
		state='clean'
		[ "$decodable" = 1 ] || state='with artifacts'
		[ "$complete" = 1 ] || state='incomplete'
		vars+=("pic$n='$data/fig6-$n.png'" "cap$n='$kernel, ring $ring, $run_qdisc: frame $frame, $state'")
	done < <(sql "WITH one AS (SELECT r.kernel, min(r.id) AS id FROM frame_images i
			JOIN runs r ON r.id = i.run_id WHERE r.status = 'done' AND i.frame_no IN ($in_list) GROUP BY r.kernel)
		SELECT o.id, o.kernel, r.ring, r.qdisc, i.frame_no,
		coalesce(f.complete, 0), coalesce(f.decodable, 0)
		FROM one o JOIN runs r ON r.id = o.id JOIN frame_images i ON i.run_id = o.id AND i.frame_no IN ($in_list)
		LEFT JOIN frames_recv f ON f.run_id = i.run_id AND f.stream = i.stream AND f.frame_no = i.frame_no
		GROUP BY o.id, i.frame_no ORDER BY o.kernel != 'stock', o.kernel, i.frame_no")
	render fig6-frame-strip "n=$n" "rows=$rows" "cols=${#frames6[@]}" "${vars[@]}" "subtitle='frames ${in_list//,/, }'"
else
	skip fig6-frame-strip "no decoded pictures of one frame from a stock and a patched run (runs with dump_frames set)"
fi

printf 'figures: %d drawn, %d skipped, in %s\n' "$drawn" "$skipped" "$out"
[ "$drawn" -gt 0 ]
