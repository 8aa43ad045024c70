/* udp-hold PORT: a UDP socket bound to PORT (any address) with the smallest
 * receive buffer, never read: every datagram beyond the first one or two is
 * dropped and counted in the drops column of /proc/net/udp and in Udp
 * RcvbufErrors. Prints "ready" once bound, then waits for a signal. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: udp-hold PORT\n");
		return 2;
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int one = 1; /* the kernel raises it to its minimum */
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVBUF, &one, sizeof one) ||
	    bind(s, (struct sockaddr *)&a, sizeof a)) {
		perror("udp-hold");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
