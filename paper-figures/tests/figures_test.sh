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
# Decoded pictures of frames 45 and 50 (stand-ins drawn by gnuplot) for
# figure 6, from a stock and a patched run; frame 60 only from stock (not
# drawn: no patched picture of it).
for k in stock nodrop-v2; do
	for fr in 45 50 60; do
		[ "$k" = stock ] || [ "$fr" != 60 ] || continue
		gnuplot -e "set terminal pngcairo size 160,90; set output '$dir/$k-$fr.png'; unset key; plot sin(x * $fr)"
		sqlite3 "$dir/fig.db" "INSERT INTO frame_images(run_id, frame_no, png) SELECT min(id), $fr, readfile('$dir/$k-$fr.png')
			FROM runs WHERE kernel = '$k' AND kind = 'video' AND ring = 25"
	done
done
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out" >"$dir/log" 2>&1 || { cat "$dir/log"; exit 1; }
for f in fig1-video-loss fig2-tcp-vs-ring fig3-tcp-vs-rtt fig4-latency-cdf fig5-patch-cost fig6-frame-strip; do
	expect "$f.png is a PNG" "$(head -c 8 "$dir/out/$f.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
	expect "$f.svg is an SVG" "$(grep -c '<svg' "$dir/out/$f.svg")" 1
done
expect "no gnuplot warnings" "$(grep -ci 'warning' "$dir/log" || true)" 0
expect "six drawn" "$(grep -c '^figure .*\.png' "$dir/log")" 6
expect "fig6: stock's row first, frames in order" "$(cmp "$dir/out/data/fig6-1.png" "$dir/stock-45.png" && cmp "$dir/out/data/fig6-2.png" "$dir/stock-50.png" && echo same)" same
expect "fig6: the patched row" "$(cmp "$dir/out/data/fig6-3.png" "$dir/nodrop-v2-45.png" && cmp "$dir/out/data/fig6-4.png" "$dir/nodrop-v2-50.png" && echo same)" same
expect "fig6: a frame without a patched picture is left out" "$(find "$dir/out/data" -name 'fig6-*.png' | wc -l)" 4
# Figure 1's data: stock at ring 25 lost 3 and 6 of 120 packets (frames 0, 10
# and 20 short by 1 and 2) -> 2.5 % and 5 %: mean 3.75, sample sd 1.7678.
expect "fig1 stock ring 25" "$(awk -F'\t' '$1 == 25 { printf "%.2f %.4f", $2, $3 }' "$dir/out/data/fig1-stock.dat")" "3.75 1.7678"
expect "fig1 nodrop-v2 loses nothing" "$(awk -F'\t' '{ s += $2 } END { print s }' "$dir/out/data/fig1-nodrop-v2.dat")" 0
expect "fig2 has the paper's ring 10 point" "$(awk -F'\t' '$1 == 10 { print $2 }' "$dir/out/data/fig2-paper-stock.dat")" 1.6
expect "fig3 RTTs from profile names" "$(cut -f1 "$dir/out/data/fig3-stock.dat" | tr '\n' ' ')" "10 40 120 "
expect "fig4 curves" "$(find "$dir/out/data" -name 'fig4-ring-*' | wc -l)" 3
expect "fig4 CDF ends at 1" "$(tail -n1 "$dir/out/data/fig4-ring-25-fq_codel.dat" | cut -f2)" 1.0
expect "fig5 bars" "$(cut -f1 "$dir/out/data/fig5.dat" | tr '\n' ' ')" "stock nodrop-v2 "

# A database without TCP runs: the TCP figures are skipped with the reason.
sqlite3 "$dir/fig.db" "DELETE FROM runs WHERE kind = 'tcp'"
bash "$root/paper-figures/figures.sh" "$dir/fig.db" --out "$dir/out2" >"$dir/log2" 2>&1
expect "skips say why" "$(grep -c 'skipped: no valid TCP runs' "$dir/log2")" 3
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

tb_summary
