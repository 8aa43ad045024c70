# geo-satellite: a geostationary satellite link (bent pipe via one satellite).
description = GEO satellite, 600 ms RTT, 3 Mbit/s uplink
source      = orbit geometry: GEO altitude 35,786 km; ground-satellite-ground is >= 2 x 35,786 km / c = 239 ms one way at nadir, ~270 ms at low elevation, so >= 480-540 ms RTT before any processing
source      = FCC Measuring Broadband America reports: satellite ISPs (HughesNet, ViaSat) median latency ~600 ms; HughesNet Gen5 plans advertise 25 Mbit/s down, 3 Mbit/s up
source      = assumption: 300 ms each way, 10 ms normal jitter, 0.1% loss, buffer 150 packets (0.6 s at 3 Mbit/s)
bottleneck  = link

[up]
delay = 300ms
jitter = 10ms
distribution = normal
loss = 0.1%
rate = 3mbit
limit = 150

[down]      # advertised 25 Mbit/s, capped at 15 Mbit/s for the TCG guest
delay = 300ms
jitter = 10ms
distribution = normal
loss = 0.1%
rate = 15mbit
limit = 750
