# Figure 1b: figure 1 for a robot's cameras (several tb-send streams, their
# keyframes aligned): one series per kernel and camera count, one clip; the
# caller sets what fig1-video-loss.gp reads.
heading = "Video loss vs TUN ring size, several cameras"
load dir."/fig1-video-loss.gp"
