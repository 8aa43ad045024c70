# de-us: Germany <-> USA over the Internet, ~120 ms RTT, the paper's
# real-world setup. That path carried 185 Mbit/s through OpenVPN in the paper,
# far above what the TCG guest's OpenVPN moves (~18-19 Mbit/s), so no rate
# limit: the VPN is the bottleneck. No jitter: without a rate netem's jitter
# would reorder packets, and a wired backbone path has ~1 ms of it anyway.
description = Germany-USA, 120 ms RTT, VPN-bound (paper's real-world TCP case)
source      = Gebauer, Schippers, Wietfeld, IEEE VTC2025-Fall: OpenVPN Germany-USA at ~120 ms RTT, 117 vs 185 Mbit/s (REFERENCE.md section 3)
source      = physics: Frankfurt-New York ~6,200 km, Frankfurt-California ~9,100 km of great circle; light in fibre ~200,000 km/s gives 62-91 ms RTT before routing detours, so 120 ms fits a US endpoint beyond the east coast
bottleneck  = vpn

[up]
delay = 60ms

[down]
delay = 60ms
