/* udp-delay: a UDP relay that holds every datagram for a fixed time, one
 * delay per direction -- the host tests' stand-in for netem, which the
 * build machine's kernel may lack. Datagrams to LISTEN go to UPSTREAM after
 * THERE_MS; datagrams from UPSTREAM go back to whoever last sent to LISTEN
 * after BACK_MS. Exits IDLE_S seconds after the last datagram (or after
 * IDLE_S without any). IPv4 only.
 * usage: udp-delay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT THERE_MS BACK_MS IDLE_S */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8192
#define DGRAM 2048

struct held {
	int64_t due;
	size_t len;
	uint8_t data[DGRAM];
};

struct fifo {
	struct held *q;
	size_t head, len;
	uint64_t dropped;
};

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void parse(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof host) {
		fprintf(stderr, "udp-delay: bad address '%s' (ADDR:PORT)\n", s);
		exit(2);
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	*a = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
		fprintf(stderr, "udp-delay: bad address '%s'\n", s);
		exit(2);
	}
}

/* Take what arrived on fd into f, due delay from now. */
static void take(int fd, struct fifo *f, int64_t delay, struct sockaddr_in *from)
{
	static uint8_t scratch[DGRAM];
	for (;;) {
		struct held *h = f->len < SLOTS ? &f->q[(f->head + f->len) % SLOTS] : NULL;
		socklen_t fl = sizeof *from;
		ssize_t n = recvfrom(fd, h ? h->data : scratch, DGRAM, MSG_DONTWAIT, (struct sockaddr *)from, &fl);
		if (n < 0)
			return;
		if (!h) {
			f->dropped++;
			continue;
		}
		h->len = (size_t)n;
		h->due = now_ns() + delay;
		f->len++;
	}
}

/* Send what is due; returns the next due time or INT64_MAX. */
static int64_t release(int fd, struct fifo *f, const struct sockaddr_in *to)
{
	while (f->len) {
		struct held *h = &f->q[f->head];
		if (h->due > now_ns())
			return h->due;
		sendto(fd, h->data, h->len, 0, (const struct sockaddr *)to, sizeof *to);
		f->head = (f->head + 1) % SLOTS;
		f->len--;
	}
	return INT64_MAX;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: udp-delay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT THERE_MS BACK_MS IDLE_S\n");
		return 2;
	}
	struct sockaddr_in la, ua, peer = {0};
	parse(argv[1], &la);
	parse(argv[2], &ua);
	int64_t there = atoll(argv[3]) * 1000000, back = atoll(argv[4]) * 1000000, idle = atoll(argv[5]) * 1000000000LL;
	int lfd = socket(AF_INET, SOCK_DGRAM, 0), ufd = socket(AF_INET, SOCK_DGRAM, 0);
	if (lfd < 0 || ufd < 0 || bind(lfd, (struct sockaddr *)&la, sizeof la) ||
	    connect(ufd, (struct sockaddr *)&ua, sizeof ua)) {
		perror("udp-delay");
		return 1;
	}
	struct fifo fwd = {calloc(SLOTS, sizeof(struct held)), 0, 0, 0};
	struct fifo rev = {calloc(SLOTS, sizeof(struct held)), 0, 0, 0};
	if (!fwd.q || !rev.q)
		return 1;
	int64_t last = now_ns();
	uint64_t nf = 0, nr = 0;
	for (;;) {
		int64_t next = release(ufd, &fwd, &ua), n2 = peer.sin_family ? release(lfd, &rev, &peer) : INT64_MAX;
		if (n2 < next)
			next = n2;
		int64_t now = now_ns();
		if (!fwd.len && !rev.len && now - last >= idle)
			break;
		int timeout = next == INT64_MAX ? 100 : (int)((next - now) / 1000000);
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {ufd, POLLIN, 0}};
		if (poll(p, 2, timeout < 0 ? 0 : timeout > 100 ? 100 : timeout) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			size_t before = fwd.len;
			take(lfd, &fwd, there, &peer);
			nf += fwd.len - before;
			last = now_ns();
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_in from;
			size_t before = rev.len;
			take(ufd, &rev, back, &from);
			nr += rev.len - before;
			last = now_ns();
		}
	}
	printf("udp-delay forward %llu back %llu dropped %llu\n", (unsigned long long)nf, (unsigned long long)nr,
	       (unsigned long long)(fwd.dropped + rev.dropped));
	return 0;
}
