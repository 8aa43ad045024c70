/* tb-send's side of the clock echoes (format in tb/rtp.h): read the echoes
 * tb-recv --clock echo sends back on the stream's socket, keep the estimate
 * (clock_est.c), and tell the receiver the estimate in an offset message
 * whenever it improves (at most every 100 ms) and once a second, so that
 * tb-recv corrects the latencies it stores. Nothing is sent to a receiver
 * that never echoed (a stock RTP receiver sees no extra packets). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/rtp.h"

#define OFFSET_MIN_GAP_NS (100 * TB_NS_PER_MSEC)
#define OFFSET_REPEAT_NS TB_NS_PER_SEC

static void send_offset(struct sender *s)
{
	const struct clock_est *e = &s->r->clock;
	uint8_t m[TB_CLOCK_MSG_LEN];
	tb_clock_msg_init(m, s->o->ssrc, TB_CLOCK_OFFSET_NAME);
	tb_put_be64(m + TB_CLOCK_OFF_A, (uint64_t)e->offset_ns);
	tb_put_be64(m + TB_CLOCK_OFF_B, (uint64_t)e->bound_ns);
	for (int i = 0; i < 4; i++)
		m[TB_CLOCK_OFF_C + i] = (uint8_t)(e->echoes >> (24 - 8 * i));
	/* Never waits: under backpressure the media goes first; the next try
	 * comes within a second. */
	if (send(s->fd, m, sizeof m, MSG_DONTWAIT) == (ssize_t)sizeof m)
		s->r->offsets_sent++;
	s->clock_sent_mono = tb_mono_ns();
	s->clock_changed = 0;
}

void send_clock_poll(struct sender *s, int final)
{
	for (int i = 0; i < 256; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct timespec))];
			struct cmsghdr align;
		} ctrl;
		uint8_t d[TB_CLOCK_MSG_LEN + 1];
		struct iovec iov = {d, sizeof d};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf,
				   .msg_controllen = sizeof ctrl.buf};
		ssize_t n = recvmsg(s->fd, &m, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			continue; /* a pending ICMP error (it is on the error queue too), EINTR */
		}
		int64_t t4 = -1;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec t;
				memcpy(&t, CMSG_DATA(cm), sizeof t);
				t4 = tb_timespec_to_ns(&t);
			}
		if (!tb_clock_msg_is(d, (size_t)n, TB_CLOCK_ECHO_NAME)) {
			s->r->foreign_datagrams++;
			continue;
		}
		if (t4 < 0)
			t4 = tb_real_ns();
		if (clock_est_add(&s->r->clock, (int64_t)tb_get_be64(d + TB_CLOCK_OFF_A),
				  (int64_t)tb_get_be64(d + TB_CLOCK_OFF_B), (int64_t)tb_get_be64(d + TB_CLOCK_OFF_C), t4))
			s->clock_changed = 1;
	}
	if (!s->r->clock.have)
		return;
	int64_t since = tb_mono_ns() - s->clock_sent_mono;
	if (final || since >= OFFSET_REPEAT_NS || (s->clock_changed && since >= OFFSET_MIN_GAP_NS))
		send_offset(s);
}
