# Figure 1: video packet and frame loss versus TUN ring size, per kernel,
# mean ± sample sd over repetitions; the paper's published points beside.
load dir."/style.gp"
set key at graph 0.97, graph 0.8 right top
set multiplot layout 1,2 title sprintf("Video loss vs TUN ring size (%s)", subtitle) font ",14"
set logscale x 10
set xlabel "TUN ring size (txqueuelen), packets"
set xrange [0.7:*]
set yrange [0:*]
set ylabel "packet loss, % of packets sent"
plot for [k in kernels] data."/fig1-".k.".dat" using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb color(k) title k, \
     data."/fig1-paper-stock.dat" using 1:2 with points pt 9 ps 2.5 lc rgb "black" title "paper: stock", \
     data."/fig1-paper-patched.dat" using 1:2 with points pt 11 ps 2.5 lc rgb "black" title "paper: patched"
set ylabel "frames lost (incomplete), % of frames sent"
plot for [k in kernels] data."/fig1-".k.".dat" using 1:4:5 with yerrorlines lw 2 pt 7 lc rgb color(k) title k
unset multiplot
