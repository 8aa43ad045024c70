/* tb-tunfeatures: the TUN flags this kernel accepts (TUNGETFEATURES on a
 * fresh /dev/net/tun fd, no device made), in hex and by name, on one line:
 *
 *   0x7133 IFF_TUN IFF_TAP ... [IFF_BACKPRESSURE]
 *
 * Bits without a name print as 0xNNNN. Exit 1 when /dev/net/tun cannot be
 * opened or asked, 2 on arguments.
 */
#include "tb_iff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct {
	unsigned int bit;
	const char *name;
} names[] = {
#define NAME(f) {f, #f}
	NAME(IFF_TUN),		NAME(IFF_TAP),		NAME(IFF_NAPI),
	NAME(IFF_NAPI_FRAGS),	NAME(IFF_NO_CARRIER),	NAME(IFF_BACKPRESSURE),
	NAME(IFF_MULTI_QUEUE),	NAME(IFF_ATTACH_QUEUE),	NAME(IFF_DETACH_QUEUE),
	NAME(IFF_PERSIST),	NAME(IFF_NO_PI),	NAME(IFF_ONE_QUEUE),
	NAME(IFF_VNET_HDR),	NAME(IFF_TUN_EXCL),
#undef NAME
};

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: tb-tunfeatures\n");
		return 2;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tb-tunfeatures: open /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	unsigned int features = 0;
	if (ioctl(fd, TUNGETFEATURES, &features) < 0) {
		fprintf(stderr, "tb-tunfeatures: TUNGETFEATURES: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("0x%04x", features);
	for (unsigned int bit = 1; bit != 0 && bit <= features; bit <<= 1) {
		if (!(features & bit))
			continue;
		const char *name = NULL;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (names[i].bit == bit)
				name = names[i].name;
		if (name)
			printf(" %s", name);
		else
			printf(" 0x%04x", bit);
	}
	printf("\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
