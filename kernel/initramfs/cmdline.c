#include "cmdline.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Copies the value (without quotes) into dst; -1 when it does not fit. */
static int copy_value(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	if (len >= size)
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

int tb_parse_cmdline(const char *cmdline, struct tb_boot_args *args)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
		{"root=", offsetof(struct tb_boot_args, root), sizeof args->root},
		{"rootfstype=", offsetof(struct tb_boot_args, fstype), sizeof args->fstype},
		{"rootflags=", offsetof(struct tb_boot_args, flags), sizeof args->flags},
		{"init=", offsetof(struct tb_boot_args, init), sizeof args->init},
	};
	memset(args, 0, sizeof *args);
	strcpy(args->init, "/sbin/init");
	args->readonly = true;

	const char *p = cmdline;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		const char *start = p;
		bool quoted = false;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		size_t len = (size_t)(p - start);
		if (len == 2 && memcmp(start, "ro", 2) == 0) {
			args->readonly = true;
			continue;
		}
		if (len == 2 && memcmp(start, "rw", 2) == 0) {
			args->readonly = false;
			continue;
		}
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			size_t klen = strlen(keys[i].key);
			if (len < klen || memcmp(start, keys[i].key, klen) != 0)
				continue;
			if (copy_value((char *)args + keys[i].off, keys[i].size, start + klen,
				       len - klen) != 0) {
				snprintf(args->error, sizeof args->error, "%.*s is too long",
					 (int)(klen - 1), keys[i].key);
				return -1;
			}
			break;
		}
	}
	if (!args->root[0]) {
		snprintf(args->error, sizeof args->error, "no root= given");
		return -1;
	}
	if (!args->fstype[0]) {
		snprintf(args->error, sizeof args->error, "no rootfstype= given");
		return -1;
	}
	return 0;
}
