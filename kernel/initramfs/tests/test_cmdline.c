/* tb_parse_cmdline: the root, its type and flags, init, ro/rw, and errors. */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"

static int failed;

static void expect_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "FAIL: %s: got [%s], want [%s]\n", what, got, want);
		failed++;
	}
}

static void expect_int(const char *what, int got, int want)
{
	if (got != want) {
		fprintf(stderr, "FAIL: %s: got %d, want %d\n", what, got, want);
		failed++;
	}
}

int main(void)
{
	struct tb_boot_args a;

	/* What vm/vm.sh passes (abridged), with a trailing newline as in /proc. */
	expect_int("vm.sh line parses",
		   tb_parse_cmdline("console=ttyS0 root=rootfs rootfstype=9p "
				    "rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro "
				    "init=/work/main/vm/guest-init.sh panic=-1 tb_out=/x\n",
				    &a),
		   0);
	expect_str("root", a.root, "rootfs");
	expect_str("rootfstype", a.fstype, "9p");
	expect_str("rootflags", a.flags, "trans=virtio,version=9p2000.L,msize=262144,cache=loose");
	expect_str("init", a.init, "/work/main/vm/guest-init.sh");
	expect_int("ro", a.readonly, 1);

	/* Defaults; rw; the last of ro/rw wins; quotes are removed; a key
	 * that only starts like one (rootwait, initrd=) is not taken. */
	expect_int("minimal line", tb_parse_cmdline("root=r rootfstype=t rw rootwait initrd=/i", &a), 0);
	expect_str("default init", a.init, "/sbin/init");
	expect_str("default flags", a.flags, "");
	expect_int("rw", a.readonly, 0);
	expect_int("quoted", tb_parse_cmdline("ro rw ro root=\"a b\" rootfstype=9p", &a), 0);
	expect_str("quoted root", a.root, "a b");
	expect_int("last of ro/rw", a.readonly, 1);

	/* Errors. */
	expect_int("no root", tb_parse_cmdline("rootfstype=9p", &a), -1);
	expect_str("no root said", a.error, "no root= given");
	expect_int("no type", tb_parse_cmdline("root=x", &a), -1);
	expect_str("no type said", a.error, "no rootfstype= given");
	char long_line[700];
	memset(long_line, 'x', sizeof long_line);
	memcpy(long_line, "init=", 5);
	long_line[sizeof long_line - 1] = '\0';
	expect_int("too long", tb_parse_cmdline(long_line, &a), -1);
	expect_str("too long said", a.error, "init is too long");

	printf("%s\n", failed ? "FAILED" : "ok");
	return failed != 0;
}
