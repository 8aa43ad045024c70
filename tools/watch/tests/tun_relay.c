/* tun-relay: the slow reader of a test TUN, standing in for a VPN. Creates
 * the TUN DEV (IFF_TUN | IFF_NO_PI), then reads one packet every 1/RATE
 * seconds (RATE 0: never, so the ring fills and stays full) until
 * SIGINT/SIGTERM. With PORT, the UDP payload of every IPv4 packet read is
 * sent on to 127.0.0.1:PORT, as a VPN would deliver it at the far end.
 * Prints "ready" once the device exists; at the end "relay: read=N".
 * usage: tun-relay DEV RATE [PORT] */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tb/clock.h"
#include "tb/err.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	tb_set_progname("tun-relay");
	long long rate, port = 0;
	if (argc < 3 || argc > 4 || strlen(argv[1]) >= IFNAMSIZ || tb_parse_i64(argv[2], 0, 1000000, &rate) ||
	    (argc == 4 && tb_parse_i64(argv[3], 1, 65535, &port)))
		tb_usage_die("usage: tun-relay DEV RATE [PORT]");
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		tb_die_errno("open /dev/net/tun");
	struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
	if (ioctl(fd, TUNSETIFF, &ifr))
		tb_die_errno("TUNSETIFF %s", argv[1]);
	int out = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	long long nread = 0;
	int64_t next = tb_mono_ns();
	unsigned char buf[65536];
	while (!stop) {
		if (rate == 0) {
			pause();
			continue;
		}
		struct timespec ts = tb_ns_to_timespec(next);
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tb_die_errno("read %s", argv[1]);
		}
		nread++;
		next += 1000000000LL / rate;
		/* IPv4 + UDP: the payload goes on to the receiver */
		size_t ihl = (size_t)(buf[0] & 15) * 4;
		if (port && n > 0 && buf[0] >> 4 == 4 && buf[9] == IPPROTO_UDP && (size_t)n > ihl + 8)
			sendto(out, buf + ihl + 8, (size_t)n - ihl - 8, 0, (struct sockaddr *)&to, sizeof to);
	}
	printf("relay: read=%lld\n", nread);
	return 0;
}
