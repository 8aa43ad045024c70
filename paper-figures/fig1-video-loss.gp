# Figure 1: video packet and frame loss versus TUN ring size, mean ± sample
# sd over repetitions; the paper's published points beside. One series per
# kernel and clip (figure 1) or kernel and camera count (figure 1b, which
# loads this file with heading set). The caller sets: n series,
# file1..fileN (.dat: ring, packet loss %, sd, frame loss %, sd, runs),
# kern1..kernN (kernel: the colour), key1..keyN, dt1..dtN and pt1..ptN (dash
# and point type: the clip or camera count), subtitle.
load dir."/style.gp"
if (!exists("heading")) heading = "Video loss vs TUN ring size"
set key at graph 0.97, graph 0.8 right top
set multiplot layout 1,2 title sprintf("%s (%s)", heading, subtitle) font ",14"
set logscale x 10
set xlabel "TUN ring size (txqueuelen), packets"
set xrange [0.7:*]
set yrange [0:*]
set ylabel "packet loss, % of packets sent"
plot for [i=1:n] value("file".i) using 1:2:3 with yerrorlines lw 2 dt value("dt".i) pt value("pt".i) \
       lc rgb color(value("kern".i)) title value("key".i), \
     data."/fig1-paper-stock.dat" using 1:2 with points pt 9 ps 2.5 lc rgb "black" title "paper: stock", \
     data."/fig1-paper-patched.dat" using 1:2 with points pt 11 ps 2.5 lc rgb "black" title "paper: patched"
set ylabel "frames lost (incomplete), % of frames sent"
unset key
plot for [i=1:n] value("file".i) using 1:4:5 with yerrorlines lw 2 dt value("dt".i) pt value("pt".i) \
       lc rgb color(value("kern".i)) notitle
unset multiplot
