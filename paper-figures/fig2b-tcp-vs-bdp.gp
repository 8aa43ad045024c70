# Figure 2b: figure 2 in dimensionless units, so the paper's points share the
# axes with ours: the ring as a fraction of the bandwidth-delay product, the
# throughput as a share of the VPN's capacity (ours: ./testbed calibrate).
load dir."/style.gp"
set title sprintf("TCP vs ring in units of the bandwidth-delay product\n%s", subtitle)
set logscale x 10
set xlabel "TUN ring size / bandwidth-delay product"
set ylabel "throughput, % of the VPN's capacity"
set yrange [0:*]
set key bottom right
set datafile separator "\t"
plot for [k in kernels] data."/fig2b-".k.".dat" using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb color(k) title "ours: ".k, \
     data."/fig2b-paper-stock.dat" using 1:2 with linespoints dt 2 pt 6 lc rgb color("stock") title "paper: stock", \
     data."/fig2b-paper-patched.dat" using 1:2 with linespoints dt 2 pt 6 lc rgb color("nodrop-v2") title "paper: patched"
