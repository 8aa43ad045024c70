# Figure 3: TCP throughput over the VPN versus emulated RTT at the default
# ring (500), per kernel and VPN; the paper's lab table of the same VPNs on
# the right axis.
load dir."/style.gp"
load dir."/tcp-series.gp"
set title sprintf("TCP over %s vs RTT, ring 500 (%s)", vpn_title(vpn_names), subtitle)
set xlabel "emulated round-trip time, ms"
set ylabel "our throughput, Mbit/s (mean ± sd)"
set y2label sprintf("paper (lab, %s), Mbit/s", paper_vpn_names)
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:y2_top(paper_max, 450)]
plot for [i = 1:words(stems)] data."/fig3-".word(stems, i).".dat" using 1:2:3 with yerrorlines \
       lw 2 dt vpn_dt(word(vpns, i), 1) pt vpn_pt(word(vpns, i), 1) lc rgb color(word(kernels, i)) \
       title series_title("ours", word(kernels, i), word(vpns, i)), \
     for [i = 1:words(paper_stems)] data."/fig3-paper-".word(paper_stems, i).".dat" using 1:2 axes x1y2 with linespoints \
       dt vpn_dt(word(paper_vpns, i), 0) pt vpn_pt(word(paper_vpns, i), 0) lc rgb paper_color(word(paper_kernels, i)) \
       title series_title("paper", word(paper_kernels, i), word(paper_vpns, i))
