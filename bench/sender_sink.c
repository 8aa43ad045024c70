/* tb-udp-sink PORT [IDLE_SECONDS] [--no-read]: bind a UDP port, read and
 * discard datagrams, and on SIGINT / SIGTERM (or IDLE_SECONDS without traffic
 * once some arrived) print "sink: packets=N bytes=N seconds=S". With
 * --no-read it only holds the port (a bound socket, so the sender sees no ICMP
 * port unreachable) and reads nothing: the kernel drops what overflows the
 * socket, which costs the receiving side the least CPU. The receiving end of
 * bench/sender_rate.sh and of sender/tests/backpressure.sh. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tb/clock.h"
#include "tb/err.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	tb_set_progname("tb-udp-sink");
	long long port, idle = 0;
	int no_read = argc > 2 && strcmp(argv[argc - 1], "--no-read") == 0;
	int nargs = argc - no_read;
	if (nargs < 2 || nargs > 3 || tb_parse_i64(argv[1], 1, 65535, &port) ||
	    (nargs == 3 && tb_parse_i64(argv[2], 1, 3600, &idle)))
		tb_usage_die("usage: tb-udp-sink PORT [IDLE_SECONDS] [--no-read]");
	int fd = socket(AF_INET6, SOCK_DGRAM, 0); /* dual-stack: IPv4 arrives mapped */
	if (fd < 0)
		tb_die_errno("socket");
	int off = 0, big = 8 << 20;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_any};
	if (bind(fd, (struct sockaddr *)&a, sizeof a))
		tb_die_errno("bind port %lld", port);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (no_read) {
		while (!stop)
			pause();
		printf("sink: packets=0 bytes=0 seconds=0 (not reading)\n");
		return 0;
	}

	enum { BATCH = 64, SZ = 65536 };
	static uint8_t bufs[BATCH][SZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long long packets = 0, bytes = 0;
	int64_t first = 0, last = 0;
	while (!stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 200);
		if (r < 0 && errno != EINTR)
			tb_die_errno("poll");
		if (r <= 0) {
			if (idle && packets && tb_mono_ns() - last > idle * TB_NS_PER_SEC)
				break;
			continue;
		}
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = SZ};
			msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			tb_die_errno("recvmmsg");
		}
		last = tb_mono_ns();
		if (!packets)
			first = last;
		for (int i = 0; i < n; i++)
			bytes += msgs[i].msg_len;
		packets += (unsigned long long)n;
	}
	printf("sink: packets=%llu bytes=%llu seconds=%.3f\n", packets, bytes, (double)(last - first) / 1e9);
	return 0;
}
