# leo-satellite: a low-earth-orbit constellation (Starlink-like). Low base
# delay, heavy-tailed jitter, bursty loss around satellite handovers.
description = LEO satellite, 10 Mbit/s uplink, 40 ms base RTT, bursty loss
source      = Ookla Starlink analyses 2023-2024: US median upload ~10-15 Mbit/s, median latency ~40-50 ms; Starlink's own 2024 network update reported ~30 ms median latency in the US
source      = Mohan et al., A Multifaceted Look at Starlink Performance, WWW 2024: about 1% loss, in bursts, and latency steps at the 15-second satellite reconfiguration intervals
source      = assumption: Gilbert-Elliott p = 0.2%, r = 30% (all packets lost in Bad) gives ~0.7% mean loss in bursts of ~3 packets; paretonormal jitter 8 ms; buffer 250 packets
bottleneck  = link

[up]
delay = 20ms
jitter = 8ms
distribution = paretonormal
loss = gemodel
ge_p = 0.2%
ge_r = 30%
ge_bad_loss = 100%
ge_good_loss = 0%
rate = 10mbit
limit = 250

[down]      # real downlinks are ~100 Mbit/s; capped at 15 Mbit/s for the TCG guest
delay = 20ms
jitter = 8ms
distribution = paretonormal
loss = gemodel
ge_p = 0.2%
ge_r = 30%
rate = 15mbit
limit = 400
