# lab-rtt-120: the paper's lab setup at 120 ms RTT: a constant 60 ms each way.
# No rate limit on purpose: the VPN is the bottleneck, as in the paper's TCP
# measurements (OpenVPN stock 402 -> 53 Mbit/s from 10 to 120 ms RTT).
description = paper lab RTT 120 ms, constant delay, VPN-bound
source      = Gebauer, Schippers, Wietfeld, IEEE VTC2025-Fall: lab TCP throughput vs emulated RTT 10/20/40/80/120 ms (REFERENCE.md section 3)
source      = assumption: the paper's netem settings are unpublished; RTT/2 per direction, no jitter, no loss, no rate limit
bottleneck  = vpn

[up]        # robot -> operator
delay = 60ms

[down]      # operator -> robot
delay = 60ms
