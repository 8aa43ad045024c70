# Figure 4: frames an operator could show in time. Per curve, of the frames
# sent, the fraction complete, decodable and in within x ms of capture (lost
# and damaged frames never are, so a curve ends below 1 by them), ring 25 and
# 500, pfifo beside fq_codel, one patched kernel beside stock; dotted lines at
# the deadlines. The caller sets: n curves, file1..fileN (.dat: ms, fraction),
# kern1..kernN (kernel, the colour), dt1..dtN (dash type: ring and qdisc),
# key1..keyN, deadlines (ms, a word list), xmax (ms), subtitle.
load dir."/style.gp"
set title sprintf("Frames shown in time (%s)", subtitle)
set xlabel "capture to last packet, ms"
set ylabel "fraction of the frames sent shown by then"
set yrange [0:1.05]
set logscale x 10
set xrange [*:xmax]
set key below maxrows 4 nobox noopaque
set bmargin 8  # room for the x label above the key
do for [d in deadlines] {
  set arrow from d + 0, graph 0 to d + 0, graph 1 nohead dt 3 lc rgb "#777777"
  set label d." ms" at d + 0, graph 0.98 right offset -0.3, 0 textcolor rgb "#777777"
}
plot for [i=1:n] value("file".i) using 1:2 with steps lw 2 dt value("dt".i) lc rgb color(value("kern".i)) title value("key".i)
