/* tb-tun-open: create TUN devices the way a VPN does (libc ioctl()), read
 * back what the kernel made of them, and optionally keep them open without
 * ever reading (a stalled VPN) for the doctor's test.
 *
 *   tb-tun-open [--hold] NAME...
 *
 * For each NAME in turn: opens /dev/net/tun, TUNSETIFF with IFF_TUN |
 * IFF_NO_PI, then prints, one per line:
 *   name NAME          the device's name as the kernel wrote it back
 *   asked 0xHHHH       ifr_flags of the caller's ifreq after TUNSETIFF
 *   flags 0xHHHH       TUNGETIFF's ifr_flags
 *   features 0xHHHH    TUNGETFEATURES
 * --hold: then sleeps holding the fds until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: tb-tun-open [--hold] NAME...\n");
	return 2;
}

/* One device; its fd stays open (the device lives as long as it does). */
static int open_one(const char *name)
{
	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "tb-tun-open: NAME '%s' longer than %d characters\n", name, IFNAMSIZ - 1);
		return 2;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tb-tun-open: open /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tb-tun-open: TUNSETIFF %s: %s\n", name, strerror(errno));
		return 1;
	}
	struct ifreq got;
	memset(&got, 0, sizeof got);
	if (ioctl(fd, TUNGETIFF, &got) < 0) {
		fprintf(stderr, "tb-tun-open: TUNGETIFF %s: %s\n", name, strerror(errno));
		return 1;
	}
	unsigned int features = 0;
	if (ioctl(fd, TUNGETFEATURES, &features) < 0) {
		fprintf(stderr, "tb-tun-open: TUNGETFEATURES: %s\n", strerror(errno));
		return 1;
	}
	printf("name %.*s\nasked 0x%04x\nflags 0x%04x\nfeatures 0x%04x\n", IFNAMSIZ, ifr.ifr_name,
	       (unsigned)(unsigned short)ifr.ifr_flags, (unsigned)(unsigned short)got.ifr_flags,
	       features);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int hold = 0, i = 1;
	if (i < argc && strcmp(argv[i], "--hold") == 0) {
		hold = 1;
		i++;
	}
	if (i == argc)
		return usage();
	for (int j = i; j < argc; j++)
		if (argv[j][0] == '-')
			return usage();
	for (; i < argc; i++) {
		int rc = open_one(argv[i]);
		if (rc != 0)
			return rc;
	}
	while (hold)
		pause();
	return 0;
}
