/* tb-send's destination and socket. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "send.h"
#include "tb/err.h"

int send_parse_dest(const char *s, struct send_dest *d, char *err, size_t errlen)
{
	char host[256];
	const char *port;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || close == s + 1) {
			tb_errbuf(err, errlen, "--dest '%s': expected [IPV6]:PORT", s);
			return -1;
		}
		if ((size_t)(close - s - 1) >= sizeof host) {
			tb_errbuf(err, errlen, "--dest: host too long");
			return -1;
		}
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		port = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon || colon == s) {
			tb_errbuf(err, errlen, "--dest '%s': expected HOST:PORT", s);
			return -1;
		}
		if (memchr(s, ':', (size_t)(colon - s))) {
			tb_errbuf(err, errlen, "--dest '%s': an IPv6 address needs brackets: [ADDR]:PORT", s);
			return -1;
		}
		if ((size_t)(colon - s) >= sizeof host) {
			tb_errbuf(err, errlen, "--dest: host too long");
			return -1;
		}
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		port = colon + 1;
	}
	long long p;
	if (tb_parse_i64(port, 1, 65535, &p)) {
		tb_errbuf(err, errlen, "--dest '%s': port must be 1..65535", s);
		return -1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		tb_errbuf(err, errlen, "--dest '%s': %s", s, gai_strerror(rc));
		return -1;
	}
	memcpy(&d->addr, res->ai_addr, res->ai_addrlen);
	d->addr_len = res->ai_addrlen;
	d->family = res->ai_family;
	freeaddrinfo(res);
	return 0;
}

int send_open_socket(const struct send_dest *d, const struct send_opts *o, int *sndbuf_eff)
{
	int fd = socket(d->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die_errno("socket");
	if (o->sndbuf) {
		int v = (int)o->sndbuf;
		/* SO_SNDBUFFORCE ignores wmem_max (needs CAP_NET_ADMIN); the
		 * kernel doubles the value for bookkeeping either way. */
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v))
			tb_die_errno("setsockopt SO_SNDBUF %d", v);
	}
	socklen_t len = sizeof *sndbuf_eff;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf_eff, &len))
		tb_die_errno("getsockopt SO_SNDBUF");
	/* ICMP errors onto the error queue, so that a send() they refuse can be
	 * told from a datagram's own error (send_errq.c). */
	int one = 1;
	if (d->family == AF_INET6 ? setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one)
				  : setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one))
		tb_die_errno("setsockopt IP_RECVERR");
	/* Kernel receive timestamps of tb-recv's clock echoes (t4). */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one))
		tb_die_errno("setsockopt SO_TIMESTAMPNS");
	/* Connected: the route is looked up once, and send() can be used. */
	if (connect(fd, (const struct sockaddr *)&d->addr, d->addr_len))
		tb_die_errno("connect to %s", o->dest);
	if (o->nonblocking && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		tb_die_errno("fcntl O_NONBLOCK");
	return fd;
}
