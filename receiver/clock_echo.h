/* tb-recv --clock echo: the receiver's side of the clock echoes (format in
 * tb/rtp.h, estimator on tb-send's side, sender/clock_est.h). At most every
 * TB_ECHO_INTERVAL_NS, the next datagram that carries our extension is
 * answered with an echo (t1 = its send_ns, t2 = its arrival, t3 = now) to
 * the address it came from, from the address it was sent to; tb-send's
 * offset messages are kept (the last one is its best estimate). */
#ifndef TB_CLOCK_ECHO_H
#define TB_CLOCK_ECHO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TB_ECHO_INTERVAL_NS 100000000LL /* 10 echoes a second: ~5 kbit/s back */

struct tb_clock_echo {
	int64_t test_offset_ns;   /* --test-clock-offset-ns: added to every receiver timestamp */
	int64_t next_echo_ns;     /* arrival time from which the next echo is due */
	uint64_t echoes_sent, echo_errors;
	int have;                 /* an offset message arrived */
	int64_t offset_ns, bound_ns;
	uint32_t echoes;          /* echoes tb-send's estimate rests on, as it reported */
	uint64_t offsets_received;
};

/* Ask the socket for the destination address of each datagram (IP_PKTINFO,
 * IPV6_RECVPKTINFO), so an echo leaves from the address the stream was sent
 * to even when listening on a wildcard address. Returns 0 or -1. */
int tb_clock_echo_socket(int fd, int family);

/* One datagram received on fd (rx: its message with source address and
 * control data; arrival on the receiver's clock): keep an offset message,
 * or answer with an echo when one is due. */
void tb_clock_echo_datagram(struct tb_clock_echo *c, int fd, const struct msghdr *rx, const uint8_t *p,
			    size_t n, int64_t arrival);

#endif
