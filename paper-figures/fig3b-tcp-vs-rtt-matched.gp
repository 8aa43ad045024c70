# Figure 3b: figure 3 at matched scale, so the paper's points share the axes
# with ours: our runs at the paper's lab ring 500 scaled by our capacity over
# the paper's (a sweep's "ring = 500lab"), the throughput of both as a share
# of the VPN's capacity (ours: ./testbed calibrate, each VPN's own; the
# paper's: its lab table's fastest point of the VPN), per kernel and VPN.
load dir."/style.gp"
load dir."/tcp-series.gp"
set title sprintf("TCP over %s vs RTT, figure 3 at matched scale\n%s", vpn_title(vpn_names), subtitle)
set xlabel "emulated round-trip time, ms"
set ylabel "throughput, % of the VPN's capacity"
set xrange [0:*]
set yrange [0:*]
# room right of the longest RTT and above 100 % (the paper's fastest point):
# points there sit inside, not on the frame
set offsets 0, graph 0.05, graph 0.05, 0
set datafile separator "\t"
plot for [i = 1:words(stems)] data."/fig3b-".word(stems, i).".dat" using 1:2:3 with yerrorlines \
       lw 2 dt vpn_dt(word(vpns, i), 1) pt vpn_pt(word(vpns, i), 1) lc rgb color(word(kernels, i)) \
       title series_title("ours", word(kernels, i), word(vpns, i)), \
     for [i = 1:words(paper_stems)] data."/fig3b-paper-".word(paper_stems, i).".dat" using 1:2 with linespoints \
       dt vpn_dt(word(paper_vpns, i), 0) pt vpn_pt(word(paper_vpns, i), 0) lc rgb paper_color(word(paper_kernels, i)) \
       title series_title("paper", word(paper_kernels, i), word(paper_vpns, i))
