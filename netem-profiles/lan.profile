# lan: nothing emulated. The veths between the namespaces as they are
# (well under 0.1 ms RTT). Needs no sch_netem, so it also runs on the host.
description = no impairment: robot and operator on one LAN
source      = assumption: the reference case with no WAN emulation
# No rate limit anywhere: OpenVPN (the guest CPU, ~18-19 Mbit/s under QEMU
# TCG) is the bottleneck.
bottleneck  = vpn

[up]
# nothing: the veth as it is

[down]
# nothing: the veth as it is
