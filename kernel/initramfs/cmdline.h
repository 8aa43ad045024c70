/*
 * The part of the kernel command line the initramfs init needs: where the
 * root is, how to mount it, and what to run next.
 */
#ifndef TB_INITRAMFS_CMDLINE_H
#define TB_INITRAMFS_CMDLINE_H

#include <stdbool.h>

struct tb_boot_args {
	char root[256];   /* root=       (required) */
	char fstype[32];  /* rootfstype= (required) */
	char flags[512];  /* rootflags=  (default: empty) */
	char init[512];   /* init=       (default: /sbin/init) */
	bool readonly;    /* ro (default) or rw, the last one wins */
	char error[128];  /* why parsing failed */
};

/*
 * Parses a command line as /proc/cmdline holds it: words separated by blanks,
 * a value may be in double quotes. Returns 0, or -1 with args->error set when
 * root= or rootfstype= is missing or a value does not fit.
 */
int tb_parse_cmdline(const char *cmdline, struct tb_boot_args *args);

#endif
