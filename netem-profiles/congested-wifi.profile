# congested-wifi: the robot's first hop is a busy Wi-Fi cell shared with many
# stations: little airtime, heavy-tailed contention delay, residual loss
# after link-layer retries.
description = congested Wi-Fi, 8 Mbit/s, heavy-tailed delay, 1% loss
source      = Sui et al., Characterizing and Improving WiFi Latency in Large-Scale Operational Networks, MobiSys 2016: the Wi-Fi hop often adds tens of ms, with a long tail
source      = assumption: 8 Mbit/s up / 12 Mbit/s down per station, 10 ms + 8 ms paretonormal jitter each way, 1% residual loss, buffer 150 packets
bottleneck  = link

[up]
delay = 10ms
jitter = 8ms
distribution = paretonormal
loss = 1%
rate = 8mbit
limit = 150

[down]
delay = 10ms
jitter = 8ms
distribution = paretonormal
loss = 1%
rate = 12mbit
limit = 200
