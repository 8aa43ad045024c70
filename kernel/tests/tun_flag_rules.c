/* tb-tun-flag-rules: the IFF_BACKPRESSURE rules of a kernel, from user space
 * (run in a guest; needs CAP_NET_ADMIN). With --feature yes (a kernel that
 * reports the flag, as applied for Linux 7.3 and our backpressure variant):
 *  1. TUNGETFEATURES reports IFF_BACKPRESSURE (0x0080);
 *  2. a TUN created with the flag reads it back (TUNGETIFF);
 *  3. a later TUNSETIFF on that (persistent, single-queue) device without
 *     the flag clears it, and one with the flag sets it again;
 *  4. on a multi-queue device, a second queue attached without the flag
 *     leaves it set: it may be cleared only while the device has at most
 *     one queue;
 *  5. once that second queue is gone, a TUNSETIFF without it clears it.
 * With --feature no (any other kernel): not reported, and a TUN asked for
 * with the flag does not have it. Prints one "ok"/"FAIL" line per check;
 * exit 0 when all hold. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef IFF_BACKPRESSURE
#define IFF_BACKPRESSURE 0x0080
#endif

static int failed;

static void expect(const char *what, int got, int want)
{
	printf("%s %s (got %d, want %d)\n", got == want ? "ok  " : "FAIL", what, got, want);
	if (got != want)
		failed++;
}

/* A /dev/net/tun fd attached to NAME with FLAGS; -1 (and a message) on error. */
static int tun_open(const char *name, int flags)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("open /dev/net/tun");
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "TUNSETIFF %s 0x%04x: %s\n", name, flags, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the device behind FD has IFF_BACKPRESSURE, -1 on error. */
static int has_flag(int fd)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	if (fd < 0 || ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -1;
	return (ifr.ifr_flags & IFF_BACKPRESSURE) != 0;
}

static void set_persist(int fd, int on)
{
	if (fd >= 0 && ioctl(fd, TUNSETPERSIST, on) < 0)
		perror("TUNSETPERSIST");
}

int main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--feature") || (strcmp(argv[2], "yes") && strcmp(argv[2], "no"))) {
		fprintf(stderr, "usage: tb-tun-flag-rules --feature yes|no\n");
		return 2;
	}
	int feature = !strcmp(argv[2], "yes");
	const int tun = IFF_TUN | IFF_NO_PI, bp = IFF_BACKPRESSURE, mq = IFF_MULTI_QUEUE;

	int probe = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	unsigned int features = 0;
	if (probe < 0 || ioctl(probe, TUNGETFEATURES, &features) < 0)
		perror("TUNGETFEATURES");
	if (probe >= 0)
		close(probe);
	expect("TUNGETFEATURES reports IFF_BACKPRESSURE", (features & IFF_BACKPRESSURE) != 0, feature);

	/* single queue, persistent so that later TUNSETIFFs reach the same device */
	int fd = tun_open("tbflag0", tun | bp);
	expect("created with the flag: has it", has_flag(fd), feature);
	set_persist(fd, 1);
	if (fd >= 0)
		close(fd);
	fd = tun_open("tbflag0", tun);
	expect("single queue, TUNSETIFF without the flag: cleared", has_flag(fd), 0);
	if (fd >= 0)
		close(fd);
	fd = tun_open("tbflag0", tun | bp);
	expect("single queue, TUNSETIFF with the flag: set again", has_flag(fd), feature);
	set_persist(fd, 0);
	if (fd >= 0)
		close(fd);

	/* multi-queue: the second queue cannot clear it */
	int q1 = tun_open("tbflag1", tun | mq | bp);
	expect("multi-queue, first queue with the flag: has it", has_flag(q1), feature);
	int q2 = tun_open("tbflag1", tun | mq);
	expect("multi-queue, second queue without the flag: still set (seen from queue 2)", has_flag(q2), feature);
	expect("multi-queue, ... and from queue 1", has_flag(q1), feature);
	set_persist(q1, 1);
	if (q2 >= 0)
		close(q2);
	if (q1 >= 0)
		close(q1);
	/* no queue left: a TUNSETIFF without the flag may clear it again */
	q1 = tun_open("tbflag1", tun | mq);
	expect("multi-queue, one queue again, TUNSETIFF without the flag: cleared", has_flag(q1), 0);
	set_persist(q1, 0);
	if (q1 >= 0)
		close(q1);
	printf("%s\n", failed ? "tun flag rules: FAILED" : "tun flag rules: all hold");
	return failed ? 1 : 0;
}
