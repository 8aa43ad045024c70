#!/usr/bin/env bash
# Every figure renders (PNG and SVG) from a small synthetic database, the data
# behind it is what the database holds, and bad input is refused.
set -euo pipefail
root=${1:?usage: figures_test.sh REPO_ROOT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tbdb=${TB_BUILD:-$root/build}/lib/tb-db
"$tbdb" init "$dir/fig.db"
sqlite3 "$dir/fig.db" <"$here/figures_fixture.sql"
# Figure 6's runs, campaign strip: stock at ring 25 (A), nodrop-v2 at ring
# 500 (B: other settings), nodrop-v2 at ring 25 (C: A's settings). Decoded
# pictures (stand-ins drawn by gnuplot, a different one per run and frame)
# of frames 45 and 50 from all three, of 60 from A only; and a decoy, the
# lowest stock run id: campaign fig's stock run at ring 25 with pictures of
# 45 and 50 but no patched run of its campaign with any. Drawn: A above C,
# frames 45 and 50.
for k in stock:25 nodrop-v2:500 nodrop-v2:25; do
	sqlite3 "$dir/fig.db" "INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, clip, sndbuf,
		pace, vpn, decode, dump_frames, cpu_limit, duration, seed, repetition, status, valid)
		VALUES ('strip', 'video', '${k%:*}', ${k#*:}, 'pfifo limit 25000', 'pfifo', 'lan', 'video', '720p30', 0,
		0, 'openvpn', 'on', '45 50 60', 90, 3, 1, 1, 'done', 1)"
done
run_a="SELECT id FROM runs WHERE campaign = 'strip' AND kernel = 'stock'"
run_b="SELECT id FROM runs WHERE campaign = 'strip' AND kernel = 'nodrop-v2' AND ring = 500"
run_c="SELECT id FROM runs WHERE campaign = 'strip' AND kernel = 'nodrop-v2' AND ring = 25"
decoy="SELECT min(id) FROM runs WHERE campaign = 'fig' AND kernel = 'stock' AND kind = 'video' AND ring = 25"
picture() { # picture NAME PHASE RUN_QUERY FRAME
	gnuplot -e "set terminal pngcairo size 160,90; set output '$dir/$1.png'; unset key; plot sin(x * $4 + $2)"
	sqlite3 "$dir/fig.db" "INSERT INTO frame_images(run_id, frame_no, png) SELECT ($3), $4, readfile('$dir/$1.png')"
}
for fr in 45 50; do
	picture "a-$fr" 1 "$run_a" "$fr"
	picture "b-$fr" 2 "$run_b" "$fr"
	picture "c-$fr" 3 "$run_c" "$fr"
	picture "decoy-$fr" 4 "$decoy" "$fr"
done
picture a-60 1 "$run_a" 60
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

# One campaign, as ./testbed reproduce asks (figure 6 takes its runs from any).
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out" --campaign fig >"$dir/log" 2>&1 || { cat "$dir/log"; exit 1; }
for f in fig1-video-loss fig1b-video-loss-cameras fig2-tcp-vs-ring fig2b-tcp-vs-bdp fig3-tcp-vs-rtt fig3b-tcp-vs-rtt-matched fig4-latency-cdf fig5-patch-cost fig6-frame-strip; do
	expect "$f.png is a PNG" "$(head -c 8 "$dir/out/$f.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
	expect "$f.svg is an SVG" "$(grep -c '<svg' "$dir/out/$f.svg")" 1
done
expect "no gnuplot warnings" "$(grep -ci 'warning' "$dir/log" || true)" 0
expect "nine drawn" "$(grep -c '^figure .*\.png' "$dir/log")" 9
expect "fig6: stock's row first (run A), frames in order" "$(cmp "$dir/out/data/fig6-1.png" "$dir/a-45.png" && cmp "$dir/out/data/fig6-2.png" "$dir/a-50.png" && echo same)" same
expect "fig6: the patched row, run C (A's campaign and settings)" "$(cmp "$dir/out/data/fig6-3.png" "$dir/c-45.png" && cmp "$dir/out/data/fig6-4.png" "$dir/c-50.png" && echo same)" same
expect "fig6: a frame without a patched picture is left out" "$(find "$dir/out/data" -name 'fig6-*.png' | wc -l)" 4
expect "fig6: the shared settings named" "$(grep -c 'campaign strip, ring 25, pfifo limit 25000, profile lan, clip 720p30; frames 45, 50' "$dir/out/fig6-frame-strip.svg")" 1
expect "fig6: each row's kernel and run" "$(grep -o "<text>[^<]*(run $(sqlite3 "$dir/fig.db" "$run_c")): frame 50, incomplete</text>" "$dir/out/fig6-frame-strip.svg")" \
	"<text>nodrop-v2 (run $(sqlite3 "$dir/fig.db" "$run_c")): frame 50, incomplete</text>"
# An invalid or unjudged run is still drawn when it is the only pair, and its
# caption says so.
sqlite3 "$dir/fig.db" "UPDATE runs SET valid = 0 WHERE id = ($run_c); UPDATE runs SET valid = NULL WHERE id = ($run_a)"
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out6" --campaign fig >"$dir/log6" 2>&1 || { cat "$dir/log6"; exit 1; }
expect "fig6: an invalid run's caption" "$(grep -c "<text>nodrop-v2 (run $(sqlite3 "$dir/fig.db" "$run_c"), run INVALID): frame 50, incomplete</text>" "$dir/out6/fig6-frame-strip.svg")" 1
expect "fig6: an unjudged run's caption" "$(grep -c "<text>stock (run $(sqlite3 "$dir/fig.db" "$run_a"), validity unknown): frame 45, " "$dir/out6/fig6-frame-strip.svg")" 1
sqlite3 "$dir/fig.db" "UPDATE runs SET valid = 1 WHERE id IN (($run_a), ($run_c))"
# Figure 1's data: stock at ring 25 lost 3 and 6 of 120 packets (frames 0, 10
# and 20 short by 1 and 2) -> 2.5 % and 5 %: mean 3.75, sample sd 1.7678.
expect "fig1 stock ring 25" "$(awk -F'\t' '$1 == 25 { printf "%.2f %.4f", $2, $3 }' "$dir/out/data/fig1-video-loss-stock-720p30-1cam.dat")" "3.75 1.7678"
expect "fig1 nodrop-v2 loses nothing" "$(awk -F'\t' '{ s += $2 } END { print s }' "$dir/out/data/fig1-video-loss-nodrop-v2-720p30-1cam.dat")" 0
# One series per kernel and clip, one camera (figures_fixture.sql): 480p30
# lost 2 of 120 packets and 1 of 30 frames at ring 25.
expect "fig1 series: kernel and clip, one camera" "$(find "$dir/out/data" -name 'fig1-video-loss-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig1-video-loss-nodrop-v2-720p30-1cam.dat fig1-video-loss-stock-480p30-1cam.dat fig1-video-loss-stock-720p30-1cam.dat "
expect "fig1 480p30 ring 25: packet and frame loss" \
	"$(awk -F'\t' '$1 == 25 { printf "%.4f %.4f %d", $2, $4, $6 }' "$dir/out/data/fig1-video-loss-stock-480p30-1cam.dat")" "1.6667 3.3333 1"
expect "fig1 key: the clip and its bitrate (clips.conf)" "$(grep -c '<text>stock, 480p30 (1.5 Mbit/s)</text>' "$dir/out/fig1-video-loss.svg")" 1
# Figure 1b: 720p30 with 1 and 2 cameras per kernel; 2 cameras at ring 25:
# stock 7 of 240 packets (2.9167 %) and 5 of 60 frames (8.3333 %), sd 0.
expect "fig1b series: kernel and cameras of 720p30" "$(find "$dir/out/data" -name 'fig1b-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig1b-video-loss-cameras-nodrop-v2-720p30-1cam.dat fig1b-video-loss-cameras-nodrop-v2-720p30-2cam.dat fig1b-video-loss-cameras-stock-720p30-1cam.dat fig1b-video-loss-cameras-stock-720p30-2cam.dat "
expect "fig1b stock, 2 cameras, ring 25" \
	"$(awk -F'\t' '$1 == 25 { printf "%.4f %.4f %.4f %.4f %d", $2, $3, $4, $5, $6 }' "$dir/out/data/fig1b-video-loss-cameras-stock-720p30-2cam.dat")" \
	"2.9167 0.0000 8.3333 0.0000 2"
expect "fig1b nodrop-v2, 2 cameras: nothing lost" \
	"$(awk -F'\t' '{ s += $2 + $4 } END { print s }' "$dir/out/data/fig1b-video-loss-cameras-nodrop-v2-720p30-2cam.dat")" 0
expect "fig1b key: camera counts" "$(grep -oE '<text>stock, [0-9] cameras?</text>' "$dir/out/fig1b-video-loss-cameras.svg" | tr '\n' ' ')" \
	"<text>stock, 1 camera</text> <text>stock, 2 cameras</text> "
expect "fig2 has the paper's ring 10 point" "$(awk -F'\t' '$1 == 10 { print $2 }' "$dir/out/data/fig2-paper-stock.dat")" 1.6
# fig2b by hand: our capacity 21 Mbit/s (the calibration), de-us 120 ms:
# BDP = 21e6 * 0.120 / 12000 = 210 packets; stock at ring 10 moved
# (1.7 + 2.2) / 2 = 1.95 Mbit/s = 9.286 % at 10 / 210 = 0.04762 BDP. The
# paper: 184.8 Mbit/s, BDP 1848; its stock ring 10, 1.6 Mbit/s = 0.8658 %.
expect "fig2b ours: ring 10 in BDPs, % of capacity" "$(awk -F'\t' 'NR == 1 { printf "%.5f %.3f", $1, $2 }' "$dir/out/data/fig2b-stock.dat")" "0.04762 9.286"
expect "fig2b paper: ring 10" "$(awk -F'\t' '$1 < 0.006 { printf "%.5f %.4f", $1, $2 }' "$dir/out/data/fig2b-paper-stock.dat")" "0.00541 0.8658"
expect "fig2b names both scales" "$(grep -c 'ours: capacity 21.0 Mbit/s, BDP 210 packets; paper: 184.8 Mbit/s, BDP 1848 packets' "$dir/out/fig2b-tcp-vs-bdp.svg")" 1
expect "fig3 RTTs from profile names" "$(cut -f1 "$dir/out/data/fig3-stock.dat" | tr '\n' ' ')" "10 40 120 "
# fig3b by hand (figures_fixture.sql): OpenVPN's matched ring is
# round(500 * 21 / 416.9) = round(25.19) = 25. Stock there: 16.8 and 17.2
# Mbit/s at 10 ms, mean 17.0 = 80.952 % of 21, sd 0.28284 = 1.3469 %; 6.3
# twice at 40 ms = 30 %, sd 0; 2.1 and 2.3 at 120 ms, 2.2 = 10.476 %, sd
# 0.14142 = 0.6734 %. nodrop-v2: 21.0, 18.9, 8.4 = 100, 90, 40 %. The
# ring-500 runs (figure 3's) and the ring-26 one (1 Mbit/s, 4.76 %) are not
# drawn. The paper's OpenVPN as % of 416.9: stock 402.4 = 96.522 %, 401.6 =
# 96.330, 96.9 = 23.243, 57.9 = 13.888, 52.8 = 12.665; patched 416.9 = 100,
# 393.2 = 94.315, 411.8 = 98.777, 262.7 = 63.013, 178.0 = 42.696.
pct_sd() { awk -F'\t' '{ printf "%s %.3f %.4f;", $1, $2, $3 }' "$1"; }
pct() { awk -F'\t' '{ printf "%s %.3f;", $1, $2 }' "$1"; }
expect "fig3b stock: ring 25 only, % of capacity" "$(pct_sd "$dir/out/data/fig3b-stock.dat")" \
	"10 80.952 1.3469;40 30.000 0.0000;120 10.476 0.6734;"
expect "fig3b nodrop-v2" "$(pct_sd "$dir/out/data/fig3b-nodrop-v2.dat")" "10 100.000 0.0000;40 90.000 0.0000;120 40.000 0.0000;"
expect "fig3b paper stock, % of its lab capacity" "$(pct "$dir/out/data/fig3b-paper-stock.dat")" \
	"10 96.522;20 96.330;40 23.243;80 13.888;120 12.665;"
expect "fig3b paper patched" "$(pct "$dir/out/data/fig3b-paper-patched.dat")" \
	"10 100.000;20 94.315;40 98.777;80 63.013;120 42.696;"
expect "fig3b files: OpenVPN's, ours and the paper's" "$(find "$dir/out/data" -name 'fig3b-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig3b-nodrop-v2.dat fig3b-paper-patched.dat fig3b-paper-stock.dat fig3b-stock.dat "
expect "fig3b names both scales" \
	"$(grep -c '<text>lab-rtt profiles; ours: capacity 21.0 Mbit/s, ring 25 packets; paper: lab capacity 416.9 Mbit/s, ring 500</text>' "$dir/out/fig3b-tcp-vs-rtt-matched.svg")" 1
expect "fig3b title" "$(grep -c '<text>TCP over OpenVPN vs RTT, figure 3 at matched scale</text>' "$dir/out/fig3b-tcp-vs-rtt-matched.svg")" 1
expect "fig3b key: ours and the paper's" "$(grep -oE '<text>(ours|paper): [^<]*</text>' "$dir/out/fig3b-tcp-vs-rtt-matched.svg" | tr '\n' ' ')" \
	"<text>ours: nodrop-v2</text> <text>ours: stock</text> <text>paper: stock</text> <text>paper: patched</text> "
# OpenVPN only: one series per kernel, named as before there was a second
# VPN, the paper's OpenVPN points only, titles that say OpenVPN.
expect "fig2 files: OpenVPN's only" "$(find "$dir/out/data" -name 'fig2-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig2-nodrop-v2.dat fig2-paper-patched.dat fig2-paper-stock.dat fig2-stock.dat "
expect "no wireguard-go series without its runs" "$(find "$dir/out/data" -name '*wireguard*' | wc -l)" 0
expect "fig2 title says OpenVPN" "$(grep -c '<text>TCP over OpenVPN vs TUN ring size, ≈120 ms RTT (profile de-us)</text>' "$dir/out/fig2-tcp-vs-ring.svg")" 1
expect "fig3 paper's axis says OpenVPN" "$(grep -c '<text>paper (lab, OpenVPN), Mbit/s</text>' "$dir/out/fig3-tcp-vs-rtt.svg")" 1
expect "fig2 key: kernels without a VPN" "$(grep -oE '<text>(ours|paper): [^<]*</text>' "$dir/out/fig2-tcp-vs-ring.svg" | tr '\n' ' ')" \
	"<text>ours: nodrop-v2</text> <text>ours: stock</text> <text>paper: stock</text> <text>paper: patched</text> "
# Figure 4: of the frames sent, the fraction shown by x ms (figures_fixture.sql
# works them out); nodrop-v2 and stock at ring 25 and 500, fq_codel only for
# nodrop-v2 at ring 25.
expect "fig4 curves" "$(find "$dir/out/data" -name 'fig4-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig4-nodrop-v2-ring-25-fq_codel.dat fig4-nodrop-v2-ring-25-pfifo.dat fig4-nodrop-v2-ring-500-pfifo.dat fig4-stock-ring-25-pfifo.dat fig4-stock-ring-500-pfifo.dat "
expect "fig4 fq_codel: 1 of 30 by 90 ms first, 28 of 30 at last (a lost and a damaged frame never)" \
	"$(awk -F'\t' 'NR == 1 { printf "%s %.4f ", $1, $2 } END { printf "%s %.4f", $1, $2 }' "$dir/out/data/fig4-nodrop-v2-ring-25-fq_codel.dat")" "90.0 0.0333 235.0 0.9333"
expect "fig4 stock ring 25: 54 of 60 frames at last" "$(tail -n1 "$dir/out/data/fig4-stock-ring-25-pfifo.dat" | cut -f2)" 0.9
# The key gives the share by 100 / 150 / 200 ms, written as is (noenhanced:
# fq_codel, not fq with a subscript codel).
expect "fig4 key: fq_codel's shares" "$(grep -c '<text>nodrop-v2, ring 25, fq_codel: 10 / 37 / 70 %</text>' "$dir/out/fig4-latency-cdf.svg")" 1
expect "fig4 key: stock's shares" "$(grep -c '<text>stock, ring 25, pfifo: 90 / 90 / 90 %</text>' "$dir/out/fig4-latency-cdf.svg")" 1
expect "every terminal of the figures is noenhanced" "$(grep -h 'set terminal' "$root"/paper-figures/*.gp | grep -vc noenhanced || true)" 0
expect "no figure drops a '_'" "$(cat "$dir"/out/*.svg | grep -oE '[a-z]+codel|pfifo[a-z]+' | grep -vcE '^(fq_codel|pfifo_fast)$' || true)" 0
expect "fig5 bars" "$(cut -f1 "$dir/out/data/fig5.dat" | tr '\n' ' ')" "stock nodrop-v2 "
expect "fig5 label: ours beside the paper's cost and its figure (headline.csv)" \
	"$(grep -c '<text>nodrop-v2 vs stock: +0.0 %; paper, Fig. 4: -4 %</text>' "$dir/out/fig5-patch-cost.svg")" 1

# Two VPNs: the same TCP points through wireguard-go as well, faster: stock
# at rings below 500 moves 3 + ring / 25 Mbit/s, the rest 30, plus 0 or 2
# in repetition 1 or 2. So stock at ring 10 moved 3.4 and 5.4, mean 4.4
# (averaged with OpenVPN's 1.7 and 2.2 it would be 3.175); at 100, 7 and 9,
# mean 8; 30 and 32 elsewhere, mean 31; the sd of two values 2 apart is
# sqrt(2) = 1.4142.
cp "$dir/fig.db" "$dir/vpn.db"
sqlite3 "$dir/vpn.db" "WITH k(kernel) AS (VALUES ('stock'), ('nodrop-v2')),
	pts(profile, ring) AS (VALUES ('de-us', 10), ('de-us', 100), ('de-us', 500),
	('lab-rtt-10', 500), ('lab-rtt-40', 500), ('lab-rtt-120', 500)), rep(r) AS (VALUES (1), (2))
	INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
	vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
	SELECT 'fig', 'tcp', kernel, ring, 'pfifo_fast', 'pfifo_fast', profile, 'tcp', 0, 0,
	'wireguard-go', 'off', 90, 10, 1, r, 'done', 1 FROM k, pts, rep;
	INSERT INTO tcp_results(run_id, receiver_bps)
	SELECT id, (CASE WHEN kernel = 'stock' AND ring < 500 THEN 3 + ring / 25.0 ELSE 30 END + 2 * (repetition - 1)) * 1e6
	FROM runs WHERE vpn = 'wireguard-go'"
# Figure 3b's wireguard-go runs, drawn once it has a calibration (below: 42
# Mbit/s, ring round(500 * 42 / 787.3) = round(26.67) = 27): stock at ring
# 27, 21 and 23 Mbit/s at lab-rtt-10, 4.2 twice at lab-rtt-40; and at ring
# 26 (what truncating would pick), 42 Mbit/s at lab-rtt-10. (Not at
# lab-rtt-120: a third ring there would tie it with de-us for figure 2.)
sqlite3 "$dir/vpn.db" "CREATE TEMP TABLE pts(ring, profile, repetition, mbit);
	INSERT INTO pts VALUES (27, 'lab-rtt-10', 1, 21), (27, 'lab-rtt-10', 2, 23),
	(27, 'lab-rtt-40', 1, 4.2), (27, 'lab-rtt-40', 2, 4.2), (26, 'lab-rtt-10', 1, 42);
	INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
	vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
	SELECT 'fig', 'tcp', 'stock', ring, 'pfifo_fast', 'pfifo_fast', profile, 'tcp', 0, 0,
	'wireguard-go', 'off', 90, 10, 1, repetition, 'done', 1 FROM pts;
	INSERT INTO tcp_results(run_id, receiver_bps) SELECT r.id, p.mbit * 1e6 FROM runs r JOIN pts p
	ON r.vpn = 'wireguard-go' AND r.ring = p.ring AND r.profile = p.profile AND r.repetition = p.repetition"
bash "$root/paper-figures/figures.sh" "$dir/vpn.db" --out "$dir/out-vpn" --campaign fig >"$dir/log-vpn" 2>&1 || { cat "$dir/log-vpn"; exit 1; }
expect "two VPNs: no gnuplot warnings" "$(grep -ci 'warning' "$dir/log-vpn" || true)" 0
expect "fig2 files: one per kernel and VPN, ours and the paper's" \
	"$(find "$dir/out-vpn/data" -name 'fig2-*.dat' -printf '%f\n' | sort | tr '\n' ' ')" \
	"fig2-nodrop-v2-wireguard-go.dat fig2-nodrop-v2.dat fig2-paper-patched-wireguard-go.dat fig2-paper-patched.dat fig2-paper-stock-wireguard-go.dat fig2-paper-stock.dat fig2-stock-wireguard-go.dat fig2-stock.dat "
mean_sd() { awk -F'\t' '{ printf "%s %.2f %.4f;", $1, $2, $3 }' "$1"; }
expect "fig2 stock, wireguard-go: its own means" "$(mean_sd "$dir/out-vpn/data/fig2-stock-wireguard-go.dat")" \
	"10 4.40 1.4142;100 8.00 1.4142;500 31.00 1.4142;"
expect "fig2 nodrop-v2, wireguard-go" "$(mean_sd "$dir/out-vpn/data/fig2-nodrop-v2-wireguard-go.dat")" \
	"10 31.00 1.4142;100 31.00 1.4142;500 31.00 1.4142;"
expect "fig3 stock, wireguard-go" "$(mean_sd "$dir/out-vpn/data/fig3-stock-wireguard-go.dat")" \
	"10 31.00 1.4142;40 31.00 1.4142;120 31.00 1.4142;"
for f in fig2-stock fig2-nodrop-v2 fig3-stock fig3-nodrop-v2 fig2-paper-stock fig3-paper-patched; do
	expect "$f (OpenVPN) as with OpenVPN only" "$(cmp "$dir/out/data/$f.dat" "$dir/out-vpn/data/$f.dat" && echo same)" same
done
# the paper's wireguard-go rows, as the CSV has them (x and Mbit/s, by x)
published() { grep ",wireguard-go,$2," "$root/datasets/published/$1" | cut -d, -f1,4 | tr , '\t' | sort -n; }
for k in stock patched; do
	expect "fig2 paper, $k, wireguard-go: the CSV's rows" "$(cat "$dir/out-vpn/data/fig2-paper-$k-wireguard-go.dat")" \
		"$(published tcp_vs_queue_120ms.csv "$k")"
	expect "fig3 paper, $k, wireguard-go: the CSV's rows" "$(cat "$dir/out-vpn/data/fig3-paper-$k-wireguard-go.dat")" \
		"$(published tcp_vs_rtt_lab.csv "$k")"
done
expect "fig2 paper wireguard-go stock at ring 500" "$(awk -F'\t' '$1 == 500 { print $2 }' "$dir/out-vpn/data/fig2-paper-stock-wireguard-go.dat")" 137.5
for f in fig2-tcp-vs-ring fig3-tcp-vs-rtt; do
	expect "$f key: both VPNs, ours and the paper's, names as written" \
		"$(grep -cE '<text>(ours|paper): stock, (openvpn|wireguard-go)</text>' "$dir/out-vpn/$f.svg")" 4
done
expect "fig2 title names both VPNs" "$(grep -c '<text>TCP over VPN (openvpn, wireguard-go) vs TUN ring size' "$dir/out-vpn/fig2-tcp-vs-ring.svg")" 1
expect "fig3 paper's axis reaches wireguard-go's 787.3 Mbit/s" "$(grep -c '<text> 900</text>' "$dir/out-vpn/fig3-tcp-vs-rtt.svg")" 1
# fig2b: no wireguard-go calibration yet, so wireguard-go is left out (not
# scaled by OpenVPN's capacity) and said so; OpenVPN's is as before.
expect "fig2b: wireguard-go left out, said why" "$(grep -c 'fig2b-tcp-vs-bdp: wireguard-go left out: no valid calibration' "$dir/log-vpn")" 1
expect "fig2b: no wireguard-go files" "$(find "$dir/out-vpn/data" -name 'fig2b-*wireguard*' | wc -l)" 0
expect "fig3b: wireguard-go left out, said why" "$(grep -c 'fig3b-tcp-vs-rtt-matched: wireguard-go left out: no valid calibration' "$dir/log-vpn")" 1
expect "fig3b: no wireguard-go files" "$(find "$dir/out-vpn/data" -name 'fig3b-*wireguard*' | wc -l)" 0
expect "fig3b: OpenVPN's as before" "$(cmp "$dir/out/data/fig3b-stock.dat" "$dir/out-vpn/data/fig3b-stock.dat" && echo same)" same
expect "fig2b: OpenVPN's scale as before" "$(grep -c 'ours: capacity 21.0 Mbit/s, BDP 210 packets; paper: 184.8 Mbit/s, BDP 1848 packets' "$dir/out-vpn/fig2b-tcp-vs-bdp.svg")" 1
# A newer calibration, of wireguard-go: 40 and 44 Mbit/s, mean 42: BDP
# 42e6 * 0.120 / 12000 = 420 packets; its stock at ring 10, 4.4 Mbit/s =
# 10.476 % at 10 / 420 = 0.02381 BDP. The paper's wireguard-go: best 185.8
# Mbit/s, BDP 1858; stock at ring 10, 1.7 Mbit/s = 0.9150 % at 0.00538.
# OpenVPN's runs keep OpenVPN's calibration, the older campaign.
sqlite3 "$dir/vpn.db" "INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
	vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
	SELECT 'calibrate-20260102T000000Z', 'tcp', 'stock', 500, 'pfifo limit 25000', 'pfifo', 'lan', 'tcp', 0, 0,
	'wireguard-go', 'off', 90, 8, 1, r, 'done', 1 FROM (SELECT 1 AS r UNION ALL SELECT 2);
	INSERT INTO tcp_results(run_id, receiver_bps)
	SELECT id, (40 + 4 * (repetition - 1)) * 1e6 FROM runs WHERE campaign = 'calibrate-20260102T000000Z'"
bash "$root/paper-figures/figures.sh" "$dir/vpn.db" --out "$dir/out-vpn" --campaign fig >"$dir/log-vpn" 2>&1 || { cat "$dir/log-vpn"; exit 1; }
expect "fig2b wireguard-go: its own scale" "$(awk -F'\t' 'NR == 1 { printf "%.5f %.3f", $1, $2 }' "$dir/out-vpn/data/fig2b-stock-wireguard-go.dat")" "0.02381 10.476"
expect "fig2b OpenVPN: still its own" "$(awk -F'\t' 'NR == 1 { printf "%.5f %.3f", $1, $2 }' "$dir/out-vpn/data/fig2b-stock.dat")" "0.04762 9.286"
expect "fig2b paper wireguard-go: ring 10" "$(awk -F'\t' 'NR == 1 { printf "%.5f %.4f", $1, $2 }' "$dir/out-vpn/data/fig2b-paper-stock-wireguard-go.dat")" "0.00538 0.9150"
expect "fig2b names each VPN's scale" "$(grep -cE '<text>(openvpn, ours: capacity 21.0 Mbit/s, BDP 210 packets; paper: 184.8 Mbit/s, BDP 1848|wireguard-go, ours: capacity 42.0 Mbit/s, BDP 420 packets; paper: 185.8 Mbit/s, BDP 1858) packets</text>' "$dir/out-vpn/fig2b-tcp-vs-bdp.svg")" 2
expect "fig2b key: both VPNs" "$(grep -cE '<text>(ours|paper): stock, (openvpn|wireguard-go)</text>' "$dir/out-vpn/fig2b-tcp-vs-bdp.svg")" 4
expect "fig2b: nothing left out" "$(grep -c 'left out' "$dir/log-vpn" || true)" 0
# fig3b wireguard-go at ring 27 of 42 Mbit/s: 22 Mbit/s at 10 ms = 52.381 %,
# sd sqrt(2) = 3.3672 %; 4.2 at 40 ms = 10 %. The paper's wireguard-go as %
# of 787.3: stock 787.3 = 100 % at 10 ms, 441.5 = 56.078 % at 40.
expect "fig3b wireguard-go: its ring, its scale" "$(pct_sd "$dir/out-vpn/data/fig3b-stock-wireguard-go.dat")" \
	"10 52.381 3.3672;40 10.000 0.0000;"
expect "fig3b paper wireguard-go stock" "$(awk -F'\t' '$1 == 10 || $1 == 40 { printf "%s %.3f;", $1, $2 }' "$dir/out-vpn/data/fig3b-paper-stock-wireguard-go.dat")" \
	"10 100.000;40 56.078;"
expect "fig3b OpenVPN: still its own" "$(cmp "$dir/out/data/fig3b-stock.dat" "$dir/out-vpn/data/fig3b-stock.dat" && echo same)" same
expect "fig3b names each VPN's scale" "$(grep -cE '<text>(openvpn, ours: capacity 21.0 Mbit/s, ring 25|wireguard-go, ours: capacity 42.0 Mbit/s, ring 27) packets; paper: lab capacity (416.9|787.3) Mbit/s, ring 500</text>' "$dir/out-vpn/fig3b-tcp-vs-rtt-matched.svg")" 2
expect "fig3b title names both VPNs" "$(grep -c '<text>TCP over VPN (openvpn, wireguard-go) vs RTT, figure 3 at matched scale</text>' "$dir/out-vpn/fig3b-tcp-vs-rtt-matched.svg")" 1
expect "fig3b key: both VPNs" "$(grep -cE '<text>(ours|paper): stock, (openvpn|wireguard-go)</text>' "$dir/out-vpn/fig3b-tcp-vs-rtt-matched.svg")" 4

# Without a calibration figure 3b has no scale: skipped, and it says why.
cp "$dir/fig.db" "$dir/nocal.db"
sqlite3 "$dir/nocal.db" "DELETE FROM runs WHERE campaign LIKE 'calibrate-%'"
bash "$root/paper-figures/figures.sh" "$dir/nocal.db" --out "$dir/out-nocal" --campaign fig >"$dir/log-nocal" 2>&1 ||
	{ cat "$dir/log-nocal"; exit 1; }
expect "fig3b without a calibration: OpenVPN left out, said why" \
	"$(grep -c '^figure fig3b-tcp-vs-rtt-matched: openvpn left out: no valid calibration of it in this database' "$dir/log-nocal")" 1
expect "fig3b without a calibration: skipped, said why" \
	"$(grep -c "^figure fig3b-tcp-vs-rtt-matched skipped: needs TCP runs with lab-rtt-\* profiles at each VPN's matched ring (ring = 500lab in a sweep) and a calibration" "$dir/log-nocal")" 1
expect "fig3b without a calibration: no files" "$(find "$dir/out-nocal" -name 'fig3b-*' | wc -l)" 0

# A database without TCP runs: the TCP figures are skipped with the reason.
sqlite3 "$dir/fig.db" "DELETE FROM runs WHERE kind = 'tcp'"
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out2" >"$dir/log2" 2>&1
expect "skips say why" "$(grep -c 'skipped: no valid TCP runs' "$dir/log2")" 4
expect "fig3b skip says why" "$(grep -c '^figure fig3b-tcp-vs-rtt-matched skipped: no valid TCP runs with lab-rtt-\* profiles$' "$dir/log2")" 1
# What is not a results database is refused with what it should be, exit 2.
printf 'kernel,ring\nstock,25\n' >"$dir/notes.csv"
sqlite3 "$dir/other.db" "CREATE TABLE t(x)"
for f in "$dir/none.db" "$dir/notes.csv" "$dir/other.db"; do
	set +e
	"$root/testbed" figures "$f" --out "$dir/out3" >/dev/null 2>"$dir/err"; rc=$?
	set -e
	expect "figures on ${f##*/}: exit 2" "$rc" 2
	expect "figures on ${f##*/}: says what it should be" "$(cat "$dir/err")" \
		"testbed: $f is not a results database (made by ./testbed run or sweep)"
done
set +e
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --frob 2>/dev/null; rc=$?
set -e
expect "bad option exits 2" "$rc" 2

# A wireguard-go video run at stock ring 25 beside the OpenVPN ones: figure 1
# keeps one VPN (OpenVPN), so its ring-25 point is unchanged and single.
sqlite3 "$dir/fig.db" "CREATE TEMP TABLE wg AS SELECT * FROM runs WHERE campaign = 'fig' AND kernel = 'stock'
	AND kind = 'video' AND ring = 25 LIMIT 1; UPDATE wg SET id = NULL, vpn = 'wireguard-go', point_key = 'wg';
	INSERT INTO runs SELECT * FROM wg"
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out-wg" --campaign fig >"$dir/log-wg" 2>&1 ||
	{ cat "$dir/log-wg"; exit 1; }
expect "fig1 with a second VPN's video: one ring-25 point, OpenVPN's" \
	"$(awk -F'\t' '$1 == 25 { printf "%.2f %.4f|", $2, $3 }' "$dir/out-wg/data/fig1-video-loss-stock-720p30-1cam.dat")" "3.75 1.7678|"

tb_summary
