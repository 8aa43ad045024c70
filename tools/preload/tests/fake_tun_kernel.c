/* libtb-fake-tun-kernel.so: preloaded AFTER libtb-backpressure.so in tests,
 * so the library's dlsym(RTLD_NEXT, "ioctl") lands here. It stands in for a
 * kernel with IFF_BACKPRESSURE on a host without one:
 *   TB_FAKE_FEATURES_ADD=0xHHHH   ORed into every TUNGETFEATURES answer
 *   TB_FAKE_EINVAL_WITH=0xHHHH    a TUNSETIFF with any of these flags fails
 *                                 with EINVAL (a kernel refusing the flag)
 * and logs on stderr each TUNGETFEATURES ("fake: TUNGETFEATURES") and the
 * flags of each TUNSETIFF ("fake: TUNSETIFF 0xHHHH") before passing it on.
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static unsigned long env_hex(const char *name)
{
	const char *v = getenv(name);
	return v ? strtoul(v, NULL, 16) : 0;
}

static void say(const char *line)
{
	ssize_t w = write(STDERR_FILENO, line, strlen(line));
	(void)w;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	void *sym = dlsym(RTLD_NEXT, "ioctl");
	ioctl_fn next;
	memcpy(&next, &sym, sizeof next);

	if (request == (unsigned long)TUNGETFEATURES) {
		say("fake: TUNGETFEATURES\n");
		int rc = next(fd, request, arg);
		if (rc == 0)
			*(unsigned int *)arg |= (unsigned int)env_hex("TB_FAKE_FEATURES_ADD");
		return rc;
	}
	if (request == (unsigned long)TUNSETIFF && arg) {
		char line[64];
		unsigned short flags = (unsigned short)((struct ifreq *)arg)->ifr_flags;
		snprintf(line, sizeof line, "fake: TUNSETIFF 0x%04x\n", flags);
		say(line);
		if (flags & env_hex("TB_FAKE_EINVAL_WITH")) {
			errno = EINVAL;
			return -1;
		}
	}
	return next(fd, request, arg);
}
