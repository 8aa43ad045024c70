# Figure 2b: figure 2 in dimensionless units, so the paper's points share the
# axes with ours: the ring as a fraction of the bandwidth-delay product, the
# throughput as a share of the VPN's capacity (ours: ./testbed calibrate,
# each VPN's own), per kernel and VPN.
load dir."/style.gp"
load dir."/tcp-series.gp"
set title sprintf("TCP vs ring in units of the bandwidth-delay product\n%s", subtitle)
set logscale x 10
set xlabel "TUN ring size / bandwidth-delay product"
set ylabel "throughput, % of the VPN's capacity"
set yrange [0:*]
# room above 100 %: the paper's patched points sit there, not on the frame
set offsets 0, 0, graph 0.05, 0
# Below the plot: inside, the key covered the low-ring points of both kernels.
set key outside below
# the key below would cover the x label: keep them apart
set xlabel offset 0,0.3
set bmargin 10
set datafile separator "\t"
plot for [i = 1:words(stems)] data."/fig2b-".word(stems, i).".dat" using 1:2:3 with yerrorlines \
       lw 2 dt vpn_dt(word(vpns, i), 1) pt vpn_pt(word(vpns, i), 1) lc rgb color(word(kernels, i)) \
       title series_title("ours", word(kernels, i), word(vpns, i)), \
     for [i = 1:words(paper_stems)] data."/fig2b-paper-".word(paper_stems, i).".dat" using 1:2 with linespoints \
       dt vpn_dt(word(paper_vpns, i), 0) pt vpn_pt(word(paper_vpns, i), 0) lc rgb paper_color(word(paper_kernels, i)) \
       title series_title("paper", word(paper_kernels, i), word(paper_vpns, i))
