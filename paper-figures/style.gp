# Shared look of the figures. The caller sets: term ("png" or "svg"),
# out (file), data (directory of .dat files), pub (published CSVs).
# noenhanced: text shows as written (fq_codel, pfifo_fast), not with "_"
# and "^" taken as sub- and superscripts.
# tall (optional): the height in figure heights, for stacked panels.
h = exists("tall") ? tall : 1
if (term eq "svg") {
  set terminal svg size 900,520*h dynamic font "sans,13" background rgb "white" noenhanced
} else {
  set terminal pngcairo size 1100,640*h font "sans,12" background rgb "white" noenhanced
}
set output out
set datafile separator "\t"
set datafile missing "NaN"
set key top right box opaque
set grid lc rgb "#dddddd"
set border lc rgb "#444444"
# One colour per kernel variant, the same in every figure.
color(k) = (k eq "stock") ? 0xd62728 : (k eq "nodrop-v2") ? 0x1f77b4 : (k eq "nodrop-qdisc") ? 0x2ca02c : 0x9467bd
