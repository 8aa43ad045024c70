/* Benchmark helper: send a packetized clip as fast as sendmmsg() goes (64
 * packets per call, sequence/frame numbers continuing across loops), to
 * measure how many packets per second tb-recv can take from its socket.
 * usage: tb-bench-recv-blast HOST PORT PACKETS [CLIP] */
#include "recv_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: tb-bench-recv-blast HOST PORT PACKETS [CLIP]\n");
		return 2;
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "tb-bench-recv-blast: bad IPv4 address %s\n", argv[1]);
		return 2;
	}
	size_t total = strtoull(argv[3], NULL, 10);
	struct tb_clip c;
	char err[512];
	if (tb_clip_load(argc > 4 ? argv[4] : "480p30", &c, err, sizeof err)) {
		fprintf(stderr, "tb-bench-recv-blast: %s\n", err);
		return 1;
	}
	struct pkts p;
	packetize(&c, &p);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to)) {
		perror("tb-bench-recv-blast: socket");
		return 1;
	}
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
	enum { B = 64 };
	struct mmsghdr m[B];
	struct iovec iov[B];
	size_t k = 0;
	long failures = 0;
	while (k < total && failures < 1000000) {
		int n = 0;
		for (; n < B && k + (size_t)n < total; n++) {
			size_t i = (k + (size_t)n) % p.n;
			relabel(&p, i, (uint32_t)((k + (size_t)n) / p.n));
			iov[n] = (struct iovec){ p.data[i], p.len[i] };
			m[n].msg_hdr = (struct msghdr){ .msg_iov = &iov[n], .msg_iovlen = 1 };
		}
		int s = sendmmsg(fd, m, (unsigned)n, 0);
		if (s <= 0) {  /* ECONNREFUSED (receiver not up yet), ENOBUFS: retry */
			failures++;
			continue;
		}
		failures = 0;
		k += (size_t)s;
	}
	close(fd);
	tb_clip_free(&c);
	return 0;
}
