#!/usr/bin/env bash
# ./testbed figures DB: render the paper's figures from a results database
# with gnuplot, as PNG and SVG. Each figure draws what the database has and
# says what it selected; a figure without data is skipped with the reason.
set -euo pipefail
# shellcheck source=analysis/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../analysis/lib.sh"
# --run ID: one run's timeline instead (timeline.sh).
for arg in "$@"; do
	if [ "$arg" = --run ]; then exec bash "$TB_ROOT/paper-figures/timeline.sh" "$@"; fi
done

usage() {
	cat <<'TXT'
usage: ./testbed figures DB [--out DIR] [--campaign NAME] [--qdisc SPEC] [--cdf-kernel NAME]
       ./testbed figures --run ID [--db FILE] [--out DIR]   (one run's timeline: --run ID --help)

Renders from DB into DIR (default paper-figures/out/):
  fig1-video-loss     video packet and frame loss vs ring size, per kernel and
                      clip (one camera)
  fig1b-video-loss-cameras  the same for a robot's cameras (runs with cameras > 1):
                      per kernel and camera count, of one clip
  fig2-tcp-vs-ring    TCP throughput vs ring size at ~120 ms RTT (de-us or lab-rtt-120)
  fig2b-tcp-vs-bdp    the same as fractions of the BDP and of the VPN's capacity
                      (of each VPN with a calibration: ./testbed calibrate)
  fig3-tcp-vs-rtt     TCP throughput vs RTT (lab-rtt-* profiles) at ring 500
                      (figures 2 and 3: per kernel and VPN, the paper's points
                      of the VPNs we have runs of)
  fig3b-tcp-vs-rtt-matched  figure 3 at matched scale: the runs at ring 500 x
                      our capacity / the paper's lab capacity (ring = 500lab
                      in a sweep), ours and the paper's as shares of the
                      VPN's capacity (of each VPN with a calibration)
  fig4-latency-cdf    frames an operator could show within x ms of capture
                      (complete and decodable; lost and damaged frames never),
                      ring 25 and 500, pfifo beside fq_codel, the kernel of
                      --cdf-kernel beside stock; the key gives the share by
                      each deadline (100, 150, 200 ms)
  fig5-patch-cost     TCP throughput at ring 500 with no link bottleneck (lan)
  fig6-frame-strip    the same decoded frames, a stock and a patched run of
                      one campaign with the same settings (runs made with
                      dump_frames set; ./testbed reproduce does that; any
                      campaign, whatever --campaign says)
each as .png and .svg, plus the data behind them in DIR/data/.
  --qdisc SPEC       qdisc of the runs in figure 1 (default: pfifo limit 25000)
  --cdf-kernel NAME  kernel variant of figure 4, drawn beside stock (default: nodrop-v2)
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
# paper_headline METRIC COLUMN: COLUMN of the row METRIC of the paper's
# single numbers (datasets/published/headline.csv)
paper_headline() {
	sqlite3 -bail -list -cmd ".import --csv --skip 1 $pub/headline.csv h" :memory: \
		"SELECT $2 FROM h WHERE metric = $(tb_lit "$1")"
}
# The TCP figures (2, 2b, 3) draw one series per kernel and VPN. A series
# list has a line "stem<TAB>kernel<TAB>vpn" per series, whose data is in
# PREFIX-stem.dat: stem is the kernel for OpenVPN (the names these files had
# before there was a second VPN), kernel-vpn for any other VPN.
# split_by_series PREFIX: stdin rows "kernel<TAB>vpn<TAB>..." into
# PREFIX-stem.dat; prints the series list in the order of the rows.
split_by_series() {
	awk -F'\t' -v OFS='\t' -v p="$data/$1" '{
		k = $1; v = $2
		gsub(/[^A-Za-z0-9._-]/, "_", v) # a part of file names and of gnuplot strings
		s = (v == "openvpn") ? k : k "-" v
		if (!(s in seen)) { seen[s] = 1; print s, k, v }
		sub(/^[^\t]*\t[^\t]*\t/, "")
		print > (p "-" s ".dat")
	}'
}
# series_vpns SERIES: the VPNs of a series list, each once, as a word list
series_vpns() { awk -F'\t' 'NF && !seen[$3]++ { printf "%s%s", (n++ ? " " : ""), $3 }' <<<"$1"; }
# series_of SERIES VPN: the lines of a series list that are of VPN
series_of() { awk -F'\t' -v v="$2" 'NF && $3 == v' <<<"$1"; }
# vpn_names VPN...: "OpenVPN" when that is the only one, else the names
vpn_names() {
	local IFS=, list
	list="$*"
	if [ "$list" = openvpn ]; then printf OpenVPN; else printf '%s' "${list//,/, }"; fi
}
# words_of FIELD SERIES: one field of a series list as a word list
words_of() { cut -f"$1" <<<"$2" | paste -sd' '; }
# series_vars OURS PAPER: the gnuplot variables of tcp-series.gp
series_vars() {
	local ours paper
	ours=$(series_vpns "$1") paper=$(series_vpns "$2")
	# shellcheck disable=SC2086 # the VPNs as words
	printf '%s\n' "stems='$(words_of 1 "$1")'" "kernels='$(words_of 2 "$1")'" "vpns='$(words_of 3 "$1")'" \
		"nvpns=$(wc -w <<<"$ours")" "vpn_names='$(vpn_names $ours)'" \
		"paper_stems='$(words_of 1 "$2")'" "paper_kernels='$(words_of 2 "$2")'" "paper_vpns='$(words_of 3 "$2")'" \
		"paper_vpn_names='$(vpn_names $paper)'"
}
# paper_tcp PREFIX CSV VPNS: the paper's throughput per kernel (stock,
# patched) and VPN from datasets/published/CSV (x, vpn, kernel, Mbit/s) into
# PREFIX-paper-STEM.dat; prints its series list. Only of the VPNs in the word
# list VPNS, those we have runs of: the paper's points of a VPN without ours
# would compare nothing with nothing, and our figures compare like with like.
paper_tcp() {
	awk -F, -v OFS='\t' -v vs="$3" 'BEGIN { n = split(vs, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		FNR > 2 && ($2 in want) && ($3 == "stock" || $3 == "patched") { print $3, $2, $1, $4 }' "$pub/$2" |
		LC_ALL=C sort -t$'\t' -k2,2 -k1,1r -k3,3n | split_by_series "$1-paper"
}
# paper_max PREFIX SERIES: the highest of the paper's throughputs drawn
paper_max() {
	local stem files=()
	for stem in $(words_of 1 "$2"); do files+=("$data/$1-paper-$stem.dat"); done
	[ "${#files[@]}" -gt 0 ] || { echo 0; return; }
	awk -F'\t' '$2 + 0 > m { m = $2 + 0 } END { print m + 0 }' "${files[@]}"
}

# scale_subtitle HEAD VPN LINE [VPN LINE]...: the subtitle of a figure at
# matched scale (2b, 3b), each VPN's LINE of its scales under HEAD, named
# unless OpenVPN is all there is (as before there was a second VPN); a
# single VPN on HEAD's line. Lines apart by \n (a backslash and an n), which
# gnuplot reads as a line break in a double-quoted string.
scale_subtitle() {
	local subtitle=$1 i
	shift
	local lines=("$@")
	for ((i = 0; i < ${#lines[@]}; i += 2)); do
		if [ "${#lines[@]}" -eq 2 ] && [ "${lines[i]}" = openvpn ]; then
			subtitle+="; ${lines[i + 1]}"
		elif [ "${#lines[@]}" -eq 2 ]; then
			subtitle+="; ${lines[i]}, ${lines[i + 1]}"
		else
			subtitle+="\\n${lines[i]}, ${lines[i + 1]}"
		fi
	done
	printf '%s' "$subtitle"
}

# --- 1: video loss vs ring ------------------------------------------------------
profile1=$(sql "SELECT profile FROM run_summary WHERE $where AND traffic = 'video' AND qdisc = $(tb_lit "$qdisc")
	GROUP BY profile ORDER BY count(DISTINCT ring) DESC, count(*) DESC LIMIT 1")
# One VPN per figure (the paper's video ran over OpenVPN): OpenVPN when the
# database has its video runs, else the VPN with the most; a curve never
# mixes two VPNs' runs at one ring.
vpn1=$(sql "SELECT coalesce(vpn, 'openvpn') FROM run_summary WHERE $where AND traffic = 'video'
	GROUP BY 1 ORDER BY (coalesce(vpn, 'openvpn') = 'openvpn') DESC, count(*) DESC LIMIT 1")
# The generated clips by bitrate (datasets/clips.conf: name ... kbit/s ...),
# "name<TAB>kbit/s" in the file's order; a clip of a team's own is not there.
clips_conf=$(awk -v OFS='\t' '!/^#/ && NF >= 5 { print $1, $5 }' "$TB_ROOT/datasets/clips.conf")
# clip_order: SQL ranking a clip as clips.conf lists them, others after.
clip_order="CASE clip$(awk -F'\t' '{ printf " WHEN '\''%s'\'' THEN %d", $1, NR }' <<<"$clips_conf") ELSE 99 END"
# fig1_render NAME WHICH CONDITION: one series per kernel, clip and camera
# count of figure 1's points that meet CONDITION into data/NAME-STEM.dat
# (STEM: kernel-clip-Ncam), and NAME drawn with them; WHICH (clip or cameras)
# is what the series of one kernel differ in: it names them in the key and
# gives each its dash and point type. Sets fig1_series to the number of
# series (0: nothing drawn).
fig1_render() {
	local name=$1 which=$2 list vars=() n=0 stem kernel clip cams key i
	fig1_series=0
	list=$(sql "SELECT kernel, clip, coalesce(cameras, 1), ring, pkt_loss_pct, coalesce(pkt_loss_sd, 0), frame_loss_pct,
		coalesce(frame_loss_sd, 0), runs
		FROM point_summary WHERE runs > 0 AND traffic = 'video' AND qdisc = $(tb_lit "$qdisc")
		AND profile = $(tb_lit "$profile1") AND coalesce(vpn, 'openvpn') = $(tb_lit "$vpn1") AND $in_campaign AND $3
		ORDER BY kernel = 'stock' DESC, kernel, $clip_order, clip, coalesce(cameras, 1), ring" |
		awk -F'\t' -v OFS='\t' -v p="$data/$name" '{
			s = $1 "-" $2 "-" $3 "cam"
			gsub(/[^A-Za-z0-9._-]/, "_", s) # a part of file names and of gnuplot strings
			if (!(s in seen)) { seen[s] = 1; print s, $1, $2, $3 }
			print $4, $5, $6, $7, $8, $9 > (p "-" s ".dat")
		}')
	[ -n "$list" ] || return 0
	local -A style=()
	while IFS=$'\t' read -r stem kernel clip cams; do
		n=$((n + 1))
		if [ "$which" = clip ]; then
			key="$kernel, $clip$(awk -F'\t' -v c="$clip" '$1 == c { printf " (%g Mbit/s)", $2 / 1000 }' <<<"$clips_conf")"
			[ "$cams" = 1 ] || key+=", $cams cameras"
			style[$clip]=${style[$clip]:-$((${#style[@]} + 1))}
			i=${style[$clip]}
		else
			key="$kernel, $cams camera$([ "$cams" = 1 ] || echo s)"
			style[$cams]=${style[$cams]:-$((${#style[@]} + 1))}
			i=${style[$cams]}
		fi
		# dash types 1-5 and point types (filled circle, square, triangle...) per clip or count
		vars+=("file$n='$data/$name-$stem.dat'" "kern$n='$kernel'" "key$n='${key//\'/}'"
			"dt$n=$(((i - 1) % 5 + 1))" "pt$n=$(((i - 1) % 6 * 2 + 5))")
	done <<<"$list"
	render "$name" "n=$n" "${vars[@]}" "subtitle='$subtitle1'"
	fig1_series=$n
}
if [ -n "$profile1" ]; then
	# The paper's two published video points (datasets/published/headline.csv).
	awk -F, '$1 == "video_packet_loss_max" && $3 == "stock" { print $2 "\t" $4 }' "$pub/headline.csv" >"$data/fig1-paper-stock.dat"
	awk -F, '$1 == "video_packet_loss" && $3 == "patched" { print $2 "\t" $4 }' "$pub/headline.csv" >"$data/fig1-paper-patched.dat"
	subtitle1="$profile1, $qdisc"
	[ "$vpn1" = openvpn ] || subtitle1="$subtitle1, $vpn1"
	# Figure 1: one camera, a series per kernel and clip (the paper's
	# bitrates: datasets/clips.conf). Figure 1b: a robot's cameras, a series
	# per kernel and camera count, of the clip most multi-camera runs sent.
	fig1_render fig1-video-loss clip 'coalesce(cameras, 1) = 1'
	[ "$fig1_series" -gt 0 ] || skip fig1-video-loss "no valid one-camera video runs with qdisc '$qdisc'"
	clip1b=$(sql "SELECT clip FROM run_summary WHERE $where AND traffic = 'video' AND qdisc = $(tb_lit "$qdisc")
		AND profile = $(tb_lit "$profile1") AND coalesce(vpn, 'openvpn') = $(tb_lit "$vpn1") AND cameras > 1
		GROUP BY clip ORDER BY count(*) DESC, clip LIMIT 1")
	if [ -n "$clip1b" ]; then
		subtitle1="$subtitle1, clip $clip1b"
		fig1_render fig1b-video-loss-cameras cameras "clip = $(tb_lit "$clip1b")"
	else
		skip fig1b-video-loss-cameras "no valid video runs with several cameras (cameras > 1) and qdisc '$qdisc'"
	fi
else
	skip fig1-video-loss "no valid video runs with qdisc '$qdisc'"
	skip fig1b-video-loss-cameras "no valid video runs with qdisc '$qdisc'"
fi

# --- 2: TCP vs ring at ~120 ms ------------------------------------------------------
# The profile with most rings; on a tie de-us, the paper's own path.
profile2=$(sql "SELECT profile FROM run_summary WHERE $where AND traffic = 'tcp' AND profile IN ('de-us', 'lab-rtt-120')
	GROUP BY profile ORDER BY count(DISTINCT ring) DESC, profile = 'de-us' DESC LIMIT 1")
ours2=''
if [ -n "$profile2" ]; then
	ours2=$(sql "SELECT kernel, coalesce(vpn, 'openvpn'), ring, avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0) FROM point_summary
		WHERE runs > 0 AND traffic = 'tcp' AND profile = $(tb_lit "$profile2")
		AND $in_campaign
		GROUP BY 1, 2, 3 ORDER BY 2, 1, 3" | split_by_series fig2)
	paper2=$(paper_tcp fig2 tcp_vs_queue_120ms.csv "$(series_vpns "$ours2")")
	mapfile -t vars < <(series_vars "$ours2" "$paper2")
	render fig2-tcp-vs-ring "${vars[@]}" "paper_max=$(paper_max fig2 "$paper2")" "subtitle='profile $profile2'"
else
	skip fig2-tcp-vs-ring "no valid TCP runs with profile de-us or lab-rtt-120"
fi

# --- 2b: the same in units the paper can share: ring / BDP, throughput / capacity --
# Ours against the guest VPN's capacity and the profile's RTT, each VPN
# against its own calibration: the newest calibrate-* campaign with runs of
# that VPN (./testbed calibrate). A VPN without one is left out, never scaled
# by another VPN's capacity. The paper's against its fastest point of the
# same VPN and 120 ms. A bandwidth-delay product counts packets of 1500 B
# (the TUN's MTU: what its ring holds).
ours2b='' paper2b='' lines=()
if [ -n "$profile2" ]; then
	rtt_us=$("$TB_BUILD/netem-profiles/tb-profile" show --json "$TB_ROOT/netem-profiles/$profile2.profile" |
		jq '.up.delay_us + .down.delay_us')
	for vpn in $(series_vpns "$ours2"); do
		capacity=$(bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn") || capacity=''
		if [ -z "$capacity" ]; then
			printf 'figure fig2b-tcp-vs-bdp: %s left out: no valid calibration of it in this database (a calibrate-* campaign with runs of vpn %s)\n' \
				"$vpn" "$vpn" >&2
			continue
		fi
		bdp=$(awk -v c="$capacity" -v r="$rtt_us" 'BEGIN { printf "%.6f", c * 1e6 * r / 1e6 / (8 * 1500) }')
		ours=$(series_of "$ours2" "$vpn")
		for stem in $(words_of 1 "$ours"); do
			awk -F'\t' -v b="$bdp" -v c="$capacity" '{ printf "%.6g\t%.6g\t%.6g\n", $1 / b, 100 * $2 / c, 100 * $3 / c }' \
				"$data/fig2-$stem.dat" >"$data/fig2b-$stem.dat"
		done
		ours2b+=$ours$'\n'
		line=$(printf 'ours: capacity %.1f Mbit/s, BDP %.0f packets' "$capacity" "$bdp")
		paper_mbit=$(awk -F, -v v="$vpn" 'FNR > 2 && $2 == v && $4 + 0 > m { m = $4 + 0 } END { if (m > 0) print m }' \
			"$pub/tcp_vs_queue_120ms.csv")
		paper=$(series_of "$paper2" "$vpn")
		if [ -n "$paper_mbit" ] && [ -n "$paper" ]; then
			paper_bdp=$(awk -v c="$paper_mbit" 'BEGIN { printf "%.6f", c * 1e6 * 0.120 / (8 * 1500) }')
			for stem in $(words_of 1 "$paper"); do
				awk -F'\t' -v b="$paper_bdp" -v c="$paper_mbit" '{ printf "%.6g\t%.6g\n", $1 / b, 100 * $2 / c }' \
					"$data/fig2-paper-$stem.dat" >"$data/fig2b-paper-$stem.dat"
			done
			paper2b+=$paper$'\n'
			line+=$(printf '; paper: %s Mbit/s, BDP %.0f packets' "$paper_mbit" "$paper_bdp")
		fi
		lines+=("$vpn" "$line")
	done
fi
if [ "${#lines[@]}" -gt 0 ]; then
	mapfile -t vars < <(series_vars "${ours2b%$'\n'}" "${paper2b%$'\n'}")
	# subtitle in double quotes, so that gnuplot reads \n as a line break
	render fig2b-tcp-vs-bdp "${vars[@]}" "subtitle=\"$(scale_subtitle "profile $profile2" "${lines[@]}")\""
else
	skip fig2b-tcp-vs-bdp "needs figure 2's runs and a calibration of their VPN (./testbed calibrate --db $db)"
fi

# --- 3: TCP vs RTT at ring 500 -----------------------------------------------------
ours3=$(sql "SELECT kernel, coalesce(vpn, 'openvpn'), CAST(substr(profile, 9) AS INTEGER), avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0)
	FROM point_summary WHERE runs > 0 AND traffic = 'tcp' AND ring = 500 AND profile LIKE 'lab-rtt-%'
	AND $in_campaign
	GROUP BY 1, 2, 3 ORDER BY 2, 1, 3" | split_by_series fig3)
if [ -n "$ours3" ]; then
	paper3=$(paper_tcp fig3 tcp_vs_rtt_lab.csv "$(series_vpns "$ours3")")
	mapfile -t vars < <(series_vars "$ours3" "$paper3")
	render fig3-tcp-vs-rtt "${vars[@]}" "paper_max=$(paper_max fig3 "$paper3")" "subtitle='lab-rtt profiles'"
else
	skip fig3-tcp-vs-rtt "no valid TCP runs at ring 500 with lab-rtt-* profiles"
fi

# --- 3b: figure 3 at matched scale, throughput / capacity --------------------------
# The paper's lab table was measured at ring 500 with its lab capacity (its
# fastest point of the VPN: analysis/paper-lab-capacity.sh). The same share
# of every RTT's bandwidth-delay product here is the ring 500 x our capacity
# / the paper's, rounded (half away from zero), at least 1 packet: what a
# sweep's "ring = 500lab" resolves to and the runs table holds. Per VPN,
# ours at that ring against its own calibration (as in 2b), the paper's
# against its lab capacity, on one axis. A VPN without a calibration, or
# without runs at its ring, is left out and said so.
ours3b='' paper3b='' lines=()
vpns3b=$(sql "SELECT DISTINCT coalesce(vpn, 'openvpn') FROM point_summary WHERE runs > 0 AND traffic = 'tcp'
	AND profile LIKE 'lab-rtt-%' AND $in_campaign ORDER BY 1")
left_out3b() { printf 'figure fig3b-tcp-vs-rtt-matched: %s left out: %s\n' "$1" "$2" >&2; }
for vpn in $vpns3b; do
	if ! capacity=$(bash "$TB_ROOT/analysis/capacity.sh" "$db" "$vpn"); then
		left_out3b "$vpn" "no valid calibration of it in this database (a calibrate-* campaign with runs of vpn $vpn)"
		continue
	fi
	if ! lab=$(bash "$TB_ROOT/analysis/paper-lab-capacity.sh" "$vpn"); then
		left_out3b "$vpn" "the paper's lab table (tcp_vs_rtt_lab.csv) has no throughput of it"
		continue
	fi
	ring3b=$(awk -v c="$capacity" -v p="$lab" 'BEGIN { r = int(500 * c / p + 0.5); print (r < 1 ? 1 : r) }')
	ours=$(sql "SELECT kernel, coalesce(vpn, 'openvpn'), CAST(substr(profile, 9) AS INTEGER), avg(tcp_mbit_s),
		coalesce(max(tcp_mbit_sd), 0) FROM point_summary WHERE runs > 0 AND traffic = 'tcp' AND ring = $ring3b
		AND profile LIKE 'lab-rtt-%' AND coalesce(vpn, 'openvpn') = $(tb_lit "$vpn") AND $in_campaign
		GROUP BY 1, 2, 3 ORDER BY 1, 3" |
		awk -F'\t' -v c="$capacity" '{ printf "%s\t%s\t%s\t%.6g\t%.6g\n", $1, $2, $3, 100 * $4 / c, 100 * $5 / c }' |
		split_by_series fig3b)
	if [ -z "$ours" ]; then
		left_out3b "$vpn" "no valid TCP runs of it at its matched ring $ring3b with lab-rtt-* profiles (ring = 500lab in a sweep)"
		continue
	fi
	ours3b+=$ours$'\n'
	paper=$(paper_tcp fig3b tcp_vs_rtt_lab.csv "$vpn")
	for stem in $(words_of 1 "$paper"); do
		f=$data/fig3b-paper-$stem.dat
		awk -F'\t' -v c="$lab" '{ printf "%s\t%.6g\n", $1, 100 * $2 / c }' "$f" >"$f.pct"
		mv "$f.pct" "$f"
	done
	[ -z "$paper" ] || paper3b+=$paper$'\n'
	lines+=("$vpn" "$(printf 'ours: capacity %.1f Mbit/s, ring %d packets; paper: lab capacity %s Mbit/s, ring 500' \
		"$capacity" "$ring3b" "$lab")")
done
if [ "${#lines[@]}" -gt 0 ]; then
	mapfile -t vars < <(series_vars "${ours3b%$'\n'}" "${paper3b%$'\n'}")
	render fig3b-tcp-vs-rtt-matched "${vars[@]}" "subtitle=\"$(scale_subtitle 'lab-rtt profiles' "${lines[@]}")\""
elif [ -z "$vpns3b" ]; then
	skip fig3b-tcp-vs-rtt-matched "no valid TCP runs with lab-rtt-* profiles"
else
	skip fig3b-tcp-vs-rtt-matched "needs TCP runs with lab-rtt-* profiles at each VPN's matched ring (ring = 500lab in a sweep) and a calibration of the VPN (./testbed calibrate --db $db)"
fi

# --- 4: frames shown in time -------------------------------------------------------------
# Per curve (kernel, ring, qdisc), of all the frames sent in its runs, the
# fraction an operator could show within x ms of capture: complete and
# decodable frames by their latency; lost and damaged ones never, so a curve
# ends below 1 by what was lost. Its height at a deadline is the share in
# time of views.sql (displayable_<N>ms_pct, there per run), given in the
# key. One profile: the one with the most runs of --cdf-kernel at the rings.
profile4=$(sql "SELECT profile FROM runs WHERE status = 'done' AND $where AND traffic = 'video' AND kernel = $(tb_lit "$cdf_kernel")
	AND ring IN (25, 500) GROUP BY profile ORDER BY count(*) DESC, profile LIMIT 1")
# One stream of one clip per curve, as figure 1 draws it: the clip with the
# most one-camera runs there (figure 1's other clips and cameras, pooled,
# would mix bitrates and loads).
clip4=$(sql "SELECT clip FROM runs WHERE status = 'done' AND $where AND traffic = 'video' AND kernel = $(tb_lit "$cdf_kernel")
	AND ring IN (25, 500) AND profile IS $(tb_lit "$profile4") AND coalesce(cameras, 1) = 1
	GROUP BY clip ORDER BY count(*) DESC, clip LIMIT 1")
deadlines="${TB_DEADLINES_MS[*]}"
vars=() n=0 xmax=${TB_DEADLINES_MS[-1]}
kernels4=()
[ -z "$profile4" ] || kernels4=("$cdf_kernel")
[ -z "$profile4" ] || [ "$cdf_kernel" = stock ] || kernels4+=(stock)
for kernel in "${kernels4[@]}"; do
	for ring in 25 500; do
		for q in pfifo fq_codel; do
			file=$data/fig4-$kernel-ring-$ring-$q.dat
			sql "WITH f AS (SELECT CASE WHEN r.complete = 1 AND r.decodable = 1 THEN r.latency_ns / 1e6 END AS ms
				FROM frames_sent s JOIN runs u ON u.id = s.run_id
				LEFT JOIN frames_recv r ON r.run_id = s.run_id AND r.stream = s.stream AND r.frame_no = s.frame_no
				WHERE u.status = 'done' AND u.$where AND u.kernel = $(tb_lit "$kernel") AND u.traffic = 'video' AND u.ring = $ring
				AND u.profile = $(tb_lit "$profile4") AND (u.qdisc = $(tb_lit "$q") OR u.qdisc LIKE $(tb_lit "$q %"))
				AND u.clip IS $(tb_lit "$clip4") AND coalesce(u.cameras, 1) = 1)
				SELECT ms, shown FROM (SELECT ms, CAST(row_number() OVER (ORDER BY ms IS NULL, ms) AS REAL) / count(*) OVER () AS shown
				FROM f) WHERE ms IS NOT NULL ORDER BY ms" >"$file"
			if [ ! -s "$file" ]; then
				rm -f "$file"
				continue
			fi
			# the share by each deadline: the curve's height there
			shares=$(awk -F'\t' -v ds="$deadlines" 'BEGIN { n = split(ds, d, " ") }
				{ for (i = 1; i <= n; i++) if ($1 <= d[i]) s[i] = $2; if ($1 > max) max = $1 }
				END { for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " / " : ""), 100 * s[i]; printf "\t%s", max }' "$file")
			n=$((n + 1))
			dash=1 # the dash type: solid, dashed, dotted, dash-dot for the ring and qdisc
			[ "$ring" = 25 ] || dash=$((dash + 2))
			[ "$q" = pfifo ] || dash=$((dash + 1))
			vars+=("file$n='$file'" "kern$n='$kernel'" "dt$n=$dash"
				"key$n='$kernel, ring $ring, $q: ${shares%$'\t'*} %'")
			xmax=$(awk -v a="$xmax" -v b="${shares#*$'\t'}" 'BEGIN { print (b > a ? b : a) }')
		done
	done
done
if [ "$n" -gt 0 ]; then
	render fig4-latency-cdf "n=$n" "${vars[@]}" "deadlines='$deadlines'" "xmax=$xmax * 1.15" \
		"subtitle='profile $profile4, clip $clip4; key: % by ${deadlines// / \/ } ms'"
else
	skip fig4-latency-cdf "no valid video runs of $cdf_kernel at ring 25 or 500 with pfifo or fq_codel"
fi

# --- 5: patch cost at ring 500, no link bottleneck ----------------------------------------
sql "SELECT kernel, avg(tcp_mbit_s), coalesce(max(tcp_mbit_sd), 0), sum(runs) FROM point_summary
	WHERE runs > 0 AND traffic = 'tcp' AND ring = 500 AND profile = 'lan'
	AND $in_campaign
	GROUP BY kernel ORDER BY kernel = 'stock' DESC, kernel" >"$data/fig5.dat"
if [ -s "$data/fig5.dat" ]; then
	# the paper's cost of the patch, and where in the paper it is
	paper=$(printf 'paper, %s: -%s %%' "$(paper_headline throughput_cost_single_queue paper_ref)" \
		"$(paper_headline throughput_cost_single_queue value)")
	cost=$(awk -F'\t' -v paper="$paper" '$1 == "stock" { s = $2 } $1 != "stock" && !p { p = $2; k = $1 }
		END { if (s > 0 && p != "") printf "%s vs stock: %+.1f %%; %s", k, 100 * (p - s) / s, paper; else print paper " for the patch" }' "$data/fig5.dat")
	render fig5-patch-cost "cost_label='$cost'" "subtitle='profile lan'"
else
	rm -f "$data/fig5.dat"
	skip fig5-patch-cost "no valid TCP runs at ring 500 with profile lan"
fi

# --- 6: a strip of the same frames, stock beside patched -------------------------------
# Two rows: a stock and a patched run of one experiment (the same campaign
# and settings but the kernel), one column per frame both kept a picture of
# (up to three). These runs are made for the figure (strip.sweep), so
# --campaign does not apply. Of several such pairs: the most frames, the
# same repetition, the latest stock run.
pair=$(sql "SELECT s.id, p.id FROM runs s
	JOIN runs p ON s.kernel = 'stock' AND p.kernel != 'stock' AND s.status = 'done' AND p.status = 'done'
	AND $(tb_same_settings s p kernel)
	JOIN frame_images a ON a.run_id = s.id JOIN frame_images b ON b.run_id = p.id AND b.frame_no = a.frame_no
	GROUP BY s.id, p.id
	ORDER BY (s.valid IS 1) + (p.valid IS 1) DESC, min(count(DISTINCT a.frame_no), 3) DESC,
		s.repetition IS p.repetition DESC, s.id DESC, p.id LIMIT 1")
if [ -n "$pair" ]; then
	read -r stock_run patched_run <<<"$pair"
	mapfile -t frames6 < <(sql "SELECT DISTINCT a.frame_no FROM frame_images a JOIN frame_images b
		ON b.run_id = $patched_run AND b.frame_no = a.frame_no WHERE a.run_id = $stock_run ORDER BY a.frame_no LIMIT 3")
	in_list=$(IFS=,; printf '%s' "${frames6[*]}")
	vars=() n=0
	for id in "$stock_run" "$patched_run"; do
		while IFS=$'\t' read -r kernel frame complete decodable validity; do
			n=$((n + 1))
			sql "SELECT writefile('$data/fig6-$n.png', png) FROM frame_images
				WHERE run_id = $id AND frame_no = $frame LIMIT 1" >/dev/null
			state='clean'
			[ "$decodable" = 1 ] || state='with artifacts'
			[ "$complete" = 1 ] || state='incomplete'
			# A picture is what the receiver decoded either way; an invalid run's
			# loss is not a measurement, and the caption says so.
			vars+=("pic$n='$data/fig6-$n.png'" "cap$n='$kernel (run $id$validity): frame $frame, $state'")
		done < <(sql "SELECT u.kernel, i.frame_no, coalesce(f.complete, 0), coalesce(f.decodable, 0),
			CASE WHEN u.valid = 1 THEN '' WHEN u.valid = 0 THEN ', run INVALID' ELSE ', validity unknown' END
			FROM frame_images i JOIN runs u ON u.id = i.run_id
			LEFT JOIN frames_recv f ON f.run_id = i.run_id AND f.stream = i.stream AND f.frame_no = i.frame_no
			WHERE i.run_id = $id AND i.frame_no IN ($in_list) GROUP BY i.frame_no ORDER BY i.frame_no")
	done
	setting=$(sql "SELECT 'campaign ' || campaign || ', ring ' || ring || ', ' || qdisc || ', profile ' || profile
		|| ', clip ' || coalesce(clip, '-') FROM runs WHERE id = $stock_run")
	render fig6-frame-strip "n=$n" "rows=2" "cols=${#frames6[@]}" "${vars[@]}" \
		"subtitle='$setting; frames ${in_list//,/, }'"
else
	skip fig6-frame-strip "no decoded pictures of one frame from a stock and a patched run of the same campaign and settings (runs with dump_frames set)"
fi

printf 'figures: %d drawn, %d skipped, in %s\n' "$drawn" "$skipped" "$out"
[ "$drawn" -gt 0 ]
