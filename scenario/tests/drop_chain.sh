# shellcheck shell=bash
# Sourced by the scenario tests, after tests/check.sh: what an iperf3 UDP run
# through the tunnel sent and received, and the check that the drop counters
# account for every datagram it lost.

# udp_counts IPERF3_OUTPUT: sets sent and received. "lost/total" of the
# sender line (total = datagrams sent) and of the receiver line (total =
# highest sequence number seen: datagrams lost at the very end are not in it,
# so the accounting starts from what the sender sent).
udp_counts() {
	local lost total
	read -r sent lost total < <(awk '/ (sender|receiver)$/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, a, "/"); if ($NF == "sender") s = a[2]; else { l = a[1]; t = a[2] } } } END { print s, l, t }' "$1")
	received=$((${total:-0} - ${lost:-0}))
}

# d NAME: how much counter NAME grew, from the file $delta that
# `scenario.sh counters-diff` wrote.
d() { sed -n "s/^$1=//p" "${delta:?}"; }

# check_drop_chain: with sent and received from udp_counts and $delta from the
# counters taken around the run, every datagram is accounted for.
check_drop_chain() {
	local explained vpn_gap control unexplained
	explained=$(($(d ring.tx_dropped) + $(d qdisc.dropped) + $(d socket.udp_sndbuf_errors) + $(d wan.up.dropped) + $(d recv.udp_rcvbuf_errors) + $(d recv.udp_no_ports)))
	echo "drops: ring $(d ring.tx_dropped), qdisc $(d qdisc.dropped), socket $(d socket.udp_sndbuf_errors), wan $(d wan.up.dropped), receiver buffers $(d recv.udp_rcvbuf_errors), after close $(d recv.udp_no_ports)"
	# The chain, exact, from kernel counters alone (every packet, iperf3's TCP
	# control connection included): the tun's qdisc handed each packet to the
	# ring or it was tail-dropped there; OpenVPN read each from the ring and it
	# was dropped by netem, by the operator's receive buffers, or written into
	# the operator's tun.
	check "qdisc sent = ring read + ring dropped ($(d qdisc.sent_pkts) = $(d ring.tx_packets) + $(d ring.tx_dropped))" \
		test "$(d qdisc.sent_pkts)" -eq "$(($(d ring.tx_packets) + $(d ring.tx_dropped)))"
	vpn_gap=$(($(d ring.tx_packets) - $(d wan.up.dropped) - $(d vpn.operator_tun_rx_packets)))
	check "ring read = wan drops + operator tun in + operator buffer drops (gap $vpn_gap)" \
		test "$vpn_gap" -ge 0 -a "$vpn_gap" -le "$(d recv.udp_rcvbuf_errors)"
	control=$(($(d qdisc.sent_pkts) + $(d qdisc.dropped) + $(d socket.udp_sndbuf_errors) - sent))
	check "the tun saw every datagram sent, plus a few control packets ($control)" test "$control" -ge 0 -a "$control" -le 50
	# End to end against iperf3's own counts. Its receiver stops counting when
	# the test ends: datagrams still unread in its socket then are delivered,
	# freed with the socket and seen by no counter (at most a receive buffer:
	# 212992 bytes / ~2.3 KB per datagram ~ 90). The other way, a drop the
	# counters saw may have hit one of the few control packets, not a datagram.
	unexplained=$((sent - received - explained))
	echo "unexplained: $unexplained"
	check "sent = received + counted drops + unexplained ($sent = $received + $explained + $unexplained)" test "$unexplained" -ge "$((-control))" -a "$unexplained" -le 90
}
