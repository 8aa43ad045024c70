# Figure 5: throughput cost of the patch at ring 500 with no link
# bottleneck (the VPN is the bottleneck): the paper's Fig. 4 question.
load dir."/style.gp"
set title sprintf("Throughput at ring 500, no link bottleneck (%s)", subtitle)
set ylabel "TCP throughput over OpenVPN, Mbit/s (mean ± sd)"
set yrange [0:*]
set xrange [-0.6:*]
set boxwidth 0.6
set style fill solid 0.7 border -1
set key off
set label 1 cost_label at graph 0.02, graph 0.95 left front
plot data."/fig5.dat" using 0:2:(color(strcol(1))):xtic(1) with boxes lc rgb variable, \
     data."/fig5.dat" using 0:2:3 with yerrorbars lc rgb "black" pt 0 lw 2
