/* tb-tun-exec: create a TUN device, optionally with IFF_BACKPRESSURE, and
 * hand its open file descriptor to a program through the environment.
 *
 * For VPNs that make their TUN with raw system calls, where the LD_PRELOAD
 * opt-in (tools/preload) cannot reach: wireguard-go is written in Go, whose
 * syscall package bypasses libc's ioctl(), but it takes a ready TUN from
 * WG_TUN_FD. The flag rules are the preload's: IFF_BACKPRESSURE is added
 * only when TUNGETFEATURES offers it, otherwise the device is made without
 * it and a line on stderr says so (what the device really has is read back
 * from sysfs by the caller, as for the preload).
 *
 * --pi keeps the 4-byte packet information header (no IFF_NO_PI): Debian 12's
 * wireguard-go (0.0.20220316) reads a TUN handed over by descriptor as one
 * with that header, and without it takes every packet's first bytes for the
 * header ("Received packet with unknown IP version").
 */
#include "tb_iff.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: tb-tun-exec --dev NAME [--backpressure] [--pi] [--fd-env VAR] -- PROGRAM [ARGS...]\n"
		   "Creates the TUN device NAME (IFF_TUN | IFF_NO_PI, plus IFF_BACKPRESSURE with\n"
		   "--backpressure when the kernel offers it; --pi: without IFF_NO_PI, packets\n"
		   "carry the 4-byte packet information header) and runs PROGRAM with the\n"
		   "device's open descriptor number in the environment variable VAR (default\n"
		   "WG_TUN_FD, which wireguard-go reads).\n");
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "tb-tun-exec: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *fd_env = "WG_TUN_FD";
	int backpressure = 0, pi = 0, i;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--dev") && i + 1 < argc) {
			dev = argv[++i];
		} else if (!strcmp(argv[i], "--fd-env") && i + 1 < argc) {
			fd_env = argv[++i];
		} else if (!strcmp(argv[i], "--backpressure")) {
			backpressure = 1;
		} else if (!strcmp(argv[i], "--pi")) {
			pi = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			return usage_error("unknown option or missing value:", argv[i]);
		}
	}
	if (!dev)
		return usage_error("--dev NAME is required", NULL);
	if (strlen(dev) == 0 || strlen(dev) >= IFNAMSIZ)
		return usage_error("--dev: a name of 1 to 15 characters, got", dev);
	if (!fd_env[0] || strchr(fd_env, '='))
		return usage_error("--fd-env: not a variable name:", fd_env);
	if (i >= argc)
		return usage_error("no PROGRAM after --", NULL);

	/* Not close-on-exec: the program inherits it. */
	int fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "tb-tun-exec: /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, dev, strlen(dev));
	ifr.ifr_flags = pi ? IFF_TUN : IFF_TUN | IFF_NO_PI;
	if (backpressure) {
		unsigned int features = 0;
		if (ioctl(fd, TUNGETFEATURES, &features) < 0)
			fprintf(stderr, "tb-tun-exec: %s: TUNGETFEATURES failed (%s): made without IFF_BACKPRESSURE\n",
				dev, strerror(errno));
		else if (!(features & IFF_BACKPRESSURE))
			fprintf(stderr, "tb-tun-exec: %s: the kernel lacks IFF_BACKPRESSURE (features 0x%04x): "
					"made without it\n", dev, features);
		else
			ifr.ifr_flags |= IFF_BACKPRESSURE;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tb-tun-exec: TUNSETIFF %s (flags 0x%04x): %s\n", dev, (unsigned)ifr.ifr_flags,
			strerror(errno));
		return 1;
	}
	char num[16];
	snprintf(num, sizeof num, "%d", fd);
	if (setenv(fd_env, num, 1)) {
		fprintf(stderr, "tb-tun-exec: setenv %s: %s\n", fd_env, strerror(errno));
		return 1;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "tb-tun-exec: %s: %s\n", argv[i], strerror(errno));
	return 127;
}
