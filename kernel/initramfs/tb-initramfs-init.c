/*
 * tb-initramfs-init: /init of the initramfs that boots Debian's prebuilt
 * kernel (kernel/debian.sh) with the host's / as the root over 9p.
 *
 * Debian's generic kernel has 9p as modules, so before the root can be
 * mounted the 9p modules must be loaded from somewhere: from this initramfs,
 * which holds them decompressed in /modules/ and their load order in
 * /modules/order. Then:
 *   1. mount the root as the kernel command line says (root=, rootfstype=,
 *      rootflags=, ro) on /newroot;
 *   2. with tb_tun=PATH (a path in the new root), load that tun.ko (the
 *      testbed variant's module) so nothing ever autoloads Debian's own;
 *   3. move /dev (devtmpfs: Debian's kernel does not mount it itself) into
 *      the new root, make it / and exec init= (vm/guest-init.sh) with the
 *      environment the kernel gave us (tb_out=, tb_variant=, ...).
 * One static binary, no shell: every exec costs time under QEMU TCG.
 * Errors are printed as "tb-initramfs: ..." on the console and power the
 * guest off (exiting PID 1 would only panic).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmdline.h"

extern char **environ;

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tb-initramfs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tb-initramfs: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open module %s: %s", path, strerror(errno));
	if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
		die("cannot load module %s: %s", path, strerror(errno));
	close(fd);
}

/* /modules/order: one file name a line, relative to /modules. */
static void load_initramfs_modules(void)
{
	FILE *f = fopen("/modules/order", "r");
	if (!f)
		die("cannot open /modules/order: %s", strerror(errno));
	char line[256], path[300];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		snprintf(path, sizeof path, "/modules/%s", line);
		load_module(path);
	}
	fclose(f);
}

static void read_cmdline(char *buf, size_t size)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open /proc/cmdline: %s", strerror(errno));
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		die("cannot read /proc/cmdline: %s", strerror(errno));
	buf[n] = '\0';
}

int main(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0555);
	mkdir("/newroot", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, "mode=0755") != 0 && errno != EBUSY)
		return 1; /* no console to say it on */
	int con = open("/dev/console", O_RDWR);
	if (con >= 0) {
		dup2(con, 0);
		dup2(con, 1);
		dup2(con, 2);
		if (con > 2)
			close(con);
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		die("cannot mount /proc: %s", strerror(errno));

	char cmdline[4096];
	read_cmdline(cmdline, sizeof cmdline);
	struct tb_boot_args args;
	if (tb_parse_cmdline(cmdline, &args) != 0)
		die("kernel command line: %s", args.error);

	load_initramfs_modules();

	unsigned long flags = args.readonly ? MS_RDONLY : 0;
	if (mount(args.root, "/newroot", args.fstype, flags, args.flags) != 0)
		die("cannot mount root %s (%s, %s): %s", args.root, args.fstype, args.flags,
		    strerror(errno));

	const char *tun = getenv("tb_tun");
	if (tun && tun[0]) {
		char path[4200];
		snprintf(path, sizeof path, "/newroot%s", tun);
		load_module(path);
		say("loaded %s", tun);
	}

	if (mount("/dev", "/newroot/dev", NULL, MS_MOVE, NULL) != 0)
		die("cannot move /dev into the root: %s", strerror(errno));
	umount2("/proc", MNT_DETACH);
	if (chdir("/newroot") != 0)
		die("chdir /newroot: %s", strerror(errno));
	if (mount(".", "/", NULL, MS_MOVE, NULL) != 0)
		die("cannot move the root to /: %s", strerror(errno));
	if (chroot(".") != 0 || chdir("/") != 0)
		die("chroot: %s", strerror(errno));
	char *argv[] = {args.init, NULL};
	execve(args.init, argv, environ);
	die("cannot exec %s: %s", args.init, strerror(errno));
}
