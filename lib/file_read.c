#include "tb/file_read.h"
#include "tb/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tb_file_read(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		tb_errbuf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = NULL;
	for (;;) {
		char *grown = realloc(buf, cap);
		if (!grown) {
			tb_errbuf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
		buf = grown;
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		tb_errbuf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}
