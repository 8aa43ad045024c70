/* libtb-backpressure.so: an LD_PRELOAD library that opts a TUN/TAP device in
 * to IFF_BACKPRESSURE without changing the program that creates it.
 *
 * It wraps libc's ioctl(). On TUNSETIFF it asks the kernel once, on the
 * same fd and before the TUNSETIFF, which TUN flags it knows
 * (TUNGETFEATURES works on a /dev/net/tun fd not yet attached to a device)
 * and caches the answer. If IFF_BACKPRESSURE is among them, the TUNSETIFF
 * is issued with the flag added; otherwise the call is passed on unchanged.
 * TB_BACKPRESSURE_PRELOAD_LOG=1 prints one line on stderr per TUNSETIFF
 * saying what it did.
 */
#include "tb_iff.h"

#include <dlfcn.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static _Atomic(ioctl_fn) real_ioctl;
/* TUNGETFEATURES' answer; -1 until a query succeeded. The kernel's answer
 * never changes while it runs, so racing first queries agree.
 */
static atomic_int features_cache = -1;

static ioctl_fn next_ioctl(void)
{
	ioctl_fn f = atomic_load(&real_ioctl);
	if (!f) {
		/* POSIX allows a data pointer from dlsym to be a function
		 * pointer; ISO C needs the detour through memcpy.
		 */
		void *sym = dlsym(RTLD_NEXT, "ioctl");
		memcpy(&f, &sym, sizeof f);
		atomic_store(&real_ioctl, f);
	}
	return f;
}

static int log_enabled(void)
{
	const char *v = getenv("TB_BACKPRESSURE_PRELOAD_LOG");
	return v && strcmp(v, "1") == 0;
}

/* One line on stderr; write(2) because stdio may be mid-use by the caller. */
static void log_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
	(void)w;
}

/* The kernel's TUN features, or -1 (errno kept) when this fd cannot answer. */
static int tun_features(ioctl_fn next, int fd)
{
	int cached = atomic_load(&features_cache);
	if (cached >= 0)
		return cached;
	unsigned int features = 0;
	int saved = errno;
	if (next(fd, TUNGETFEATURES, &features) < 0) {
		errno = saved;
		return -1;
	}
	atomic_store(&features_cache, (int)(features & 0x7fffffffu));
	return (int)(features & 0x7fffffffu);
}

static int tunsetiff(ioctl_fn next, int fd, struct ifreq *caller)
{
	int logging = log_enabled();
	if (!caller)
		return next(fd, TUNSETIFF, caller);
	unsigned short asked = (unsigned short)caller->ifr_flags;
	if (asked & IFF_BACKPRESSURE) {
		if (logging)
			log_line("tb-backpressure: TUNSETIFF %.*s: IFF_BACKPRESSURE already requested",
				 IFNAMSIZ, caller->ifr_name);
		return next(fd, TUNSETIFF, caller);
	}
	int features = tun_features(next, fd);
	if (features < 0 || !(features & IFF_BACKPRESSURE)) {
		if (logging) {
			if (features < 0)
				log_line("tb-backpressure: TUNSETIFF %.*s: TUNGETFEATURES failed (%s); "
					 "flags 0x%04x unchanged",
					 IFNAMSIZ, caller->ifr_name, strerror(errno), asked);
			else
				log_line("tb-backpressure: TUNSETIFF %.*s: kernel lacks IFF_BACKPRESSURE "
					 "(TUNGETFEATURES 0x%04x); flags 0x%04x unchanged",
					 IFNAMSIZ, caller->ifr_name, (unsigned)features, asked);
		}
		return next(fd, TUNSETIFF, caller);
	}

	/* Work on a copy so the caller's flags stay as it wrote them; the
	 * kernel writes the device's name back, which the caller gets.
	 */
	struct ifreq ifr;
	memcpy(&ifr, caller, sizeof ifr);
	ifr.ifr_flags = (short)(asked | IFF_BACKPRESSURE);
	int saved = errno;
	int rc = next(fd, TUNSETIFF, &ifr);
	if (rc < 0 && errno == EINVAL) {
		/* The kernel may refuse the flag on an existing device (its
		 * multi-queue rules): give the program what it asked for.
		 */
		if (logging)
			log_line("tb-backpressure: TUNSETIFF %.*s: refused with IFF_BACKPRESSURE (EINVAL); "
				 "retried with flags 0x%04x unchanged",
				 IFNAMSIZ, caller->ifr_name, asked);
		errno = saved;
		return next(fd, TUNSETIFF, caller);
	}
	if (rc < 0)
		return rc;
	ifr.ifr_flags = (short)asked;
	memcpy(caller, &ifr, sizeof ifr);
	if (logging)
		log_line("tb-backpressure: TUNSETIFF %.*s: IFF_BACKPRESSURE added (flags 0x%04x -> 0x%04x)",
			 IFNAMSIZ, caller->ifr_name, asked, (unsigned)(asked | IFF_BACKPRESSURE));
	return rc;
}

/* glibc's prototype. Every ioctl's third argument is read as a pointer, as
 * libc's own wrapper does: on the ABIs Linux runs on an int argument travels
 * in the same register or slot.
 */
int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	ioctl_fn next = next_ioctl();
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	if (request == (unsigned long)TUNSETIFF)
		return tunsetiff(next, fd, arg);
	return next(fd, request, arg);
}
