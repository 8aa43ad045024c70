#include "snmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy the line starting at p into out (truncated to outlen); returns a pointer
 * past it, or NULL at end of text. */
static const char *next_line(const char *p, char *out, size_t outlen)
{
	if (!*p)
		return NULL;
	const char *nl = strchr(p, '\n');
	size_t n = nl ? (size_t)(nl - p) : strlen(p);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = 0;
	return nl ? nl + 1 : p + strlen(p);
}

int snmp_lookup(const char *text, const char *proto, const char *name, long long *out)
{
	char prefix[32];
	if (snprintf(prefix, sizeof prefix, "%s:", proto) >= (int)sizeof prefix)
		return -1;
	size_t plen = strlen(prefix);
	char head[2048], vals[2048];
	const char *p = text;
	while ((p = next_line(p, head, sizeof head))) {
		if (strncmp(head, prefix, plen) != 0 || head[plen] != ' ')
			continue;
		p = next_line(p, vals, sizeof vals);
		if (!p || strncmp(vals, prefix, plen) != 0)
			return -1;
		/* Walk the name and value columns together. */
		char *hs = NULL, *vs = NULL;
		char *h = strtok_r(head + plen, " ", &hs);
		char *v = strtok_r(vals + plen, " ", &vs);
		while (h && v) {
			if (!strcmp(h, name)) {
				char *end;
				errno = 0;
				long long x = strtoll(v, &end, 10);
				if (errno || *end)
					return -1;
				*out = x;
				return 0;
			}
			h = strtok_r(NULL, " ", &hs);
			v = strtok_r(NULL, " ", &vs);
		}
		return -1;
	}
	return -1;
}

int snmp_read_file(const char *path, char *buf, unsigned long buflen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, buflen - 1, f);
	int bad = ferror(f) || n == buflen - 1;
	fclose(f);
	buf[n] = 0;
	return bad ? -1 : 0;
}
