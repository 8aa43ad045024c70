/* OpenVPN's --status file (rewritten every second): its byte counters as
 * PREFIX.name=value, the lines "Name,value" the shell version's awk -F,
 * picks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcounters.h"

static const struct {
	const char *field, *key;
} wanted[] = {
	{"TUN/TAP read bytes", "tun_read_bytes"},   {"TUN/TAP write bytes", "tun_write_bytes"},
	{"TCP/UDP read bytes", "udp_read_bytes"},   {"TCP/UDP write bytes", "udp_write_bytes"},
	{"Auth read bytes", "auth_read_bytes"},
};

void nc_lines_ovpn_status(const char *path, const char *prefix)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		/* awk -F,: $1 up to the first comma, $2 up to the second */
		char *comma = strchr(line, ',');
		const char *value = "";
		if (comma) {
			*comma = 0;
			value = comma + 1;
			char *next = strchr(comma + 1, ',');
			if (next)
				*next = 0;
		}
		for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
			if (!strcmp(line, wanted[i].field))
				nc_line("%s.%s=%s", prefix, wanted[i].key, value);
	}
	free(line);
	fclose(f);
}
