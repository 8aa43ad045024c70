# Figure 4: CDF of per-frame one-way latency (capture to last packet) for
# ring 25 and ring 500, pfifo beside fq_codel, in one kernel variant.
load dir."/style.gp"
set title sprintf("Frame latency CDF, kernel %s (%s)", cdf_kernel, subtitle)
set xlabel "frame latency (capture to last packet), ms"
set ylabel "fraction of complete frames"
set yrange [0:1]
set logscale x 10
set key bottom right
plot for [c in curves] data."/fig4-".c.".dat" using 1:2 with steps lw 2 title c
