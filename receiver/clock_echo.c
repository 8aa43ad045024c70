/* See clock_echo.h. */
#include "clock_echo.h"

#include "tb/clock.h"
#include "tb/rtp.h"
#include "tb/rtp_parse.h"

#include <netinet/in.h>
#include <string.h>

int tb_clock_echo_socket(int fd, int family)
{
	int one = 1;
	/* IP_PKTINFO also covers IPv4 on a dual-stack IPv6 socket. */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) && family == AF_INET)
		return -1;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one))
		return -1;
	return 0;
}

/* Send the echo from the address the datagram was sent to. */
static int reply(int fd, const struct msghdr *rx, const uint8_t *m, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctrl;
	memset(&ctrl, 0, sizeof ctrl);
	struct iovec iov = {(void *)m, len};
	struct msghdr tx = {.msg_name = rx->msg_name, .msg_namelen = rx->msg_namelen, .msg_iov = &iov,
			    .msg_iovlen = 1};
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(rx); cm; cm = CMSG_NXTHDR((struct msghdr *)rx, cm)) {
		struct cmsghdr *out = (struct cmsghdr *)ctrl.buf;
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo in, pi = {0};
			memcpy(&in, CMSG_DATA(cm), sizeof in);
			pi.ipi_spec_dst = in.ipi_addr; /* our address, as the sender addressed it */
			out->cmsg_level = IPPROTO_IP;
			out->cmsg_type = IP_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(out), &pi, sizeof pi);
			tx.msg_control = ctrl.buf;
			tx.msg_controllen = CMSG_SPACE(sizeof pi);
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			out->cmsg_level = IPPROTO_IPV6;
			out->cmsg_type = IPV6_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(out), &pi, sizeof pi);
			tx.msg_control = ctrl.buf;
			tx.msg_controllen = CMSG_SPACE(sizeof pi);
		}
	}
	return sendmsg(fd, &tx, MSG_DONTWAIT) == (ssize_t)len ? 0 : -1;
}

void tb_clock_echo_datagram(struct tb_clock_echo *c, int fd, const struct msghdr *rx, const uint8_t *p,
			    size_t n, int64_t arrival)
{
	if (tb_clock_msg_is(p, n, TB_CLOCK_OFFSET_NAME)) {
		c->have = 1;
		c->offset_ns = (int64_t)tb_get_be64(p + TB_CLOCK_OFF_A);
		c->bound_ns = (int64_t)tb_get_be64(p + TB_CLOCK_OFF_B);
		c->echoes = (uint32_t)p[TB_CLOCK_OFF_C] << 24 | (uint32_t)p[TB_CLOCK_OFF_C + 1] << 16 |
			    (uint32_t)p[TB_CLOCK_OFF_C + 2] << 8 | p[TB_CLOCK_OFF_C + 3];
		c->offsets_received++;
		return;
	}
	if (arrival < c->next_echo_ns)
		return;
	struct tb_rtp_packet pkt;
	if (tb_rtp_parse(p, n, &pkt) != TB_RTP_OK || !pkt.has_ext || pkt.ext.send_ns <= 0)
		return;
	uint8_t m[TB_CLOCK_MSG_LEN];
	tb_clock_msg_init(m, pkt.ssrc, TB_CLOCK_ECHO_NAME);
	tb_put_be64(m + TB_CLOCK_OFF_A, (uint64_t)pkt.ext.send_ns);
	tb_put_be64(m + TB_CLOCK_OFF_B, (uint64_t)arrival);
	tb_put_be64(m + TB_CLOCK_OFF_C, (uint64_t)(tb_real_ns() + c->test_offset_ns));
	if (reply(fd, rx, m, sizeof m))
		c->echo_errors++;
	else
		c->echoes_sent++;
	c->next_echo_ns = arrival + TB_ECHO_INTERVAL_NS;
}
