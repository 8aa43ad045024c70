# Figure 3: TCP throughput over OpenVPN versus emulated RTT at the default
# ring (500); the paper's lab table on the right axis.
load dir."/style.gp"
set title sprintf("TCP over OpenVPN vs RTT, ring 500 (%s)", subtitle)
set xlabel "emulated round-trip time, ms"
set ylabel "our throughput, Mbit/s (mean ± sd)"
set y2label "paper (lab, OpenVPN), Mbit/s"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:450]
plot for [k in kernels] data."/fig3-".k.".dat" using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb color(k) title "ours: ".k, \
     data."/fig3-paper-stock.dat" using 1:2 axes x1y2 with linespoints dt 2 pt 6 lc rgb color("stock") title "paper: stock", \
     data."/fig3-paper-patched.dat" using 1:2 axes x1y2 with linespoints dt 2 pt 6 lc rgb color("nodrop-v2") title "paper: patched"
