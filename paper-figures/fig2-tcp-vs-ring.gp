# Figure 2: TCP throughput over OpenVPN versus TUN ring size at ≈120 ms RTT;
# the paper's real-world OpenVPN numbers on the right axis (their scale).
load dir."/style.gp"
set title sprintf("TCP over OpenVPN vs TUN ring size, ≈120 ms RTT (%s)", subtitle)
set logscale x 10
set xlabel "TUN ring size (txqueuelen), packets"
set ylabel "our throughput, Mbit/s (mean ± sd)"
set y2label "paper (Germany-USA, OpenVPN), Mbit/s"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:200]
set key bottom right
set datafile separator "\t"
plot for [k in kernels] data."/fig2-".k.".dat" using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb color(k) title "ours: ".k, \
     data."/fig2-paper-stock.dat" using 1:2 axes x1y2 with linespoints dt 2 pt 6 lc rgb color("stock") title "paper: stock", \
     data."/fig2-paper-patched.dat" using 1:2 axes x1y2 with linespoints dt 2 pt 6 lc rgb color("nodrop-v2") title "paper: patched"
