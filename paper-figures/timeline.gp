# The timeline of one run: per frame and per sample on one time axis
# (seconds from the run's start), five panels sharing x. The caller sets:
# data (directory), run (id), subtitle, xmin, xmax, and per series the file
# data/timeline-RUN-NAME.dat (tab-separated, t_s first) and its row count
# n_NAME (a series without rows is drawn as nothing, its key says "none"),
# and the highest values max_latency, max_blocked, max_ring, max_backlog:
#   ok, damaged   frames received whole: t, latency ms (damaged: not decodable)
#   lost          frames incomplete or never seen: t
#   blocked       t, ms the sender spent inside send() for the frame
#   ring          ring_drops samples: t, packets dropped in the interval
#   backlog       qdisc_backlog_bytes samples: t, kB
tall = 2
load dir."/style.gp"
file(name) = sprintf("%s/timeline-%s-%s.dat", data, run, name)
# one plot element: the file's rows, or (none) a NaN that only keys the title
series(n, name, cols, style, title) = n > 0 \
  ? sprintf("'%s' using %s with %s title '%s'", file(name), cols, style, title) \
  : sprintf("NaN with %s title '%s: none'", style, title)
# y from 0 to the panel's highest value (max_NAME, set by the caller) and
# room above it for the key; [0:1] when there is nothing above 0
range(top) = top > 0 ? sprintf("[0:%g]", top * 1.6) : "[0:1]"

# Panels at fixed places (so their x axes line up), each title in the
# space above it; the key at the top right of each, above the data.
set multiplot layout 5,1 title sprintf("Run %s: what each frame met on its way\n%s", run, subtitle) \
  margins 0.10,0.96,0.06,0.91 spacing 0,0.035
set xrange [xmin:xmax]
set format x ""
set key top right opaque

set title "frame latency, capture to last packet (ms)"
eval "set yrange ".range(max_latency)
eval "plot ".series(n_ok, "ok", "1:2", "points pt 7 ps 0.4 lc rgb '#1f77b4'", "shown").", ". \
  series(n_damaged, "damaged", "1:2", "points pt 7 ps 0.6 lc rgb '#ff7f0e'", "damaged (not decodable)")

set title "lost and damaged frames"
set yrange [-0.5:2.3]
set ytics ("damaged" 0, "lost" 1)
eval "plot ".series(n_lost, "lost", "1:(1)", "points pt 2 ps 0.8 lc rgb '#d62728'", "lost (incomplete or missing)").", ". \
  series(n_damaged, "damaged", "1:(0)", "points pt 2 ps 0.8 lc rgb '#ff7f0e'", "damaged")
set ytics autofreq

set title "sender blocked in send() per frame (ms)"
eval "set yrange ".range(max_blocked)
eval "plot ".series(n_blocked, "blocked", "1:2", "impulses lw 2 lc rgb '#9467bd'", "blocked_ns")

set title "TUN ring drops per sample (packets)"
eval "set yrange ".range(max_ring)
eval "plot ".series(n_ring, "ring", "1:2", "impulses lw 2 lc rgb '#d62728'", "ring_drops")

set title "qdisc backlog (kB)"
set format x "%g"
set xlabel "seconds from the run's start"
eval "set yrange ".range(max_backlog)
eval "plot ".series(n_backlog, "backlog", "1:2", "steps lw 2 lc rgb '#2ca02c'", "qdisc_backlog_bytes")
unset multiplot
