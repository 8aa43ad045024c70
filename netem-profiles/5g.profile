# 5g: a 5G (NR, non-standalone) uplink. Lower delay than LTE; the uplink rate
# is at the top of what the TCG guest's OpenVPN can fill (~18-19 Mbit/s).
description = 5G NSA, 15 Mbit/s uplink, 24 ms base RTT, some reordering
source      = ITU-R M.2410-0 (2017): IMT-2020 user-plane latency target 4 ms one way (eMBB); measured RTTs are higher: operator speed-test reports (Ookla 2023-2024) put median 5G latency around 25-35 ms and 5G upload around 10-20 Mbit/s
source      = assumption: 12 ms each way, 2 ms normal jitter, 0.01% loss; 0.1% reordering from the split bearer of EN-DC (LTE and NR legs, 3GPP TS 37.340); buffer 300 packets
bottleneck  = link

[up]
delay = 12ms
jitter = 2ms
distribution = normal
loss = 0.01%
reorder = 0.1%
reorder_correlation = 25%
rate = 15mbit
limit = 300

[down]      # capped at 15 Mbit/s for the TCG guest (real 5G downlink is faster)
delay = 12ms
jitter = 2ms
distribution = normal
loss = 0.01%
rate = 15mbit
limit = 300
