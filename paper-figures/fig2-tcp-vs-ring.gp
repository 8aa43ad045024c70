# Figure 2: TCP throughput over the VPN versus TUN ring size at ≈120 ms RTT,
# per kernel and VPN; the paper's real-world numbers of the same VPNs on the
# right axis (their scale).
load dir."/style.gp"
load dir."/tcp-series.gp"
set title sprintf("TCP over %s vs TUN ring size, ≈120 ms RTT (%s)", vpn_title(vpn_names), subtitle)
set logscale x 10
# rings start at 1: below it, so that ring-1 points are drawn whole, not on the edge
set xrange [0.7:*]
set xlabel "TUN ring size (txqueuelen), packets"
set ylabel "our throughput, Mbit/s (mean ± sd)"
set y2label sprintf("paper (Germany-USA, %s), Mbit/s", paper_vpn_names)
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:y2_top(paper_max, 200)]
# below the plot: inside, the key covered stock's ring-500 point
set key outside below maxrows 4
set xlabel offset 0,0.3
set bmargin 8
set datafile separator "\t"
plot for [i = 1:words(stems)] data."/fig2-".word(stems, i).".dat" using 1:2:3 with yerrorlines \
       lw 2 dt vpn_dt(word(vpns, i), 1) pt vpn_pt(word(vpns, i), 1) lc rgb color(word(kernels, i)) \
       title series_title("ours", word(kernels, i), word(vpns, i)), \
     for [i = 1:words(paper_stems)] data."/fig2-paper-".word(paper_stems, i).".dat" using 1:2 axes x1y2 with linespoints \
       dt vpn_dt(word(paper_vpns, i), 0) pt vpn_pt(word(paper_vpns, i), 0) lc rgb paper_color(word(paper_kernels, i)) \
       title series_title("paper", word(paper_kernels, i), word(paper_vpns, i))
