# lte-uplink: a robot on LTE uploading video. The uplink is the bottleneck
# and has a deep buffer (bufferbloat is typical of cellular uplinks).
description = LTE, 5 Mbit/s uplink, 40 ms base RTT, deep buffer
source      = 3GPP TS 23.203 Table 6.1.7: QCI 2 (conversational video) packet delay budget 150 ms, packet error loss rate 1e-3 -> loss 0.1%
source      = operator speed-test reports (Ookla, Opensignal 2022-2024): 4G upload typically 5-15 Mbit/s, 4G latency 30-60 ms RTT; 5 Mbit/s and 40 ms are picked from those ranges (assumption)
source      = Jiang et al., Tackling Bufferbloat in 3G/4G Networks, IMC 2012: cellular buffers hold seconds; assumption: 250 packets (0.6 s at 5 Mbit/s), jitter 5 ms up / 3 ms down
bottleneck  = link

[up]        # robot -> operator: the video direction
delay = 20ms
jitter = 5ms
distribution = normal
loss = 0.1%
rate = 5mbit
limit = 250

[down]      # operator -> robot: control, ACKs. LTE downlink is faster in
            # reality; capped at 15 Mbit/s so the TCG guest is not the limit.
delay = 20ms
jitter = 3ms
distribution = normal
loss = 0.1%
rate = 15mbit
limit = 500
