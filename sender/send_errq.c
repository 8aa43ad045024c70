/* ICMP errors reported to tb-send's socket.
 *
 * With IP_RECVERR (IPV6_RECVERR) set, the kernel puts every ICMP error that
 * concerns the socket (port unreachable, host unreachable, packet too big,
 * ...) on the socket's error queue, and also records it as the socket's
 * pending error, which fails the NEXT send() with that errno before any
 * datagram is built: that datagram never left. Without the option a
 * connected UDP socket does the latter alone, so a receiver that is not (yet)
 * listening costs every second datagram. Reading the queue tells such a
 * refusal (a report about an earlier datagram, after which the refused one
 * is sent again) apart from an error of the datagram itself (no route, a
 * full queue), which stays a send error. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/errqueue.h> /* after time.h: it uses struct timespec */

#include "send.h"

int send_errq_drain(int fd, struct send_result *r, struct frame_rec *rec, int match_errno)
{
	int matched = 0;
	for (;;) {
		union {
			char buf[512];
			struct cmsghdr align;
		} ctrl;
		uint8_t data[64]; /* the quoted datagram; not needed */
		struct iovec iov = {data, sizeof data};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf,
				   .msg_controllen = sizeof ctrl.buf};
		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return matched; /* EAGAIN: the queue is empty */
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
			if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
				continue;
			struct sock_extended_err ee;
			memcpy(&ee, CMSG_DATA(cm), sizeof ee);
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			r->icmp_errors++;
			if (rec)
				rec->icmp_errors++;
			if (ee.ee_errno == ECONNREFUSED)
				r->icmp_refused++;
			if ((int)ee.ee_errno == match_errno)
				matched++;
		}
	}
}
