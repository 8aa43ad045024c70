/* The UDP sockets of the current network namespace: /proc/self/net/udp and
 * udp6 (per namespace, like /proc/self/net/snmp; /proc/self/net follows the
 * namespace the thread is in now). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcounters.h"

/* Adds the drops (last column) of the sockets whose local address (second
 * column, "ADDR:PORT" in hex) ends in :PORT. A missing file (no IPv6) adds
 * nothing. */
static uint64_t file_port_drops(const char *path, const char *suffix)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	uint64_t sum = 0;
	char *line = NULL;
	size_t cap = 0;
	size_t slen = strlen(suffix);
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *last = NULL;
		int col = 0, match = 0;
		for (char *w = strtok_r(line, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
			if (++col == 2) {
				size_t n = strlen(w);
				match = n >= slen && !strcmp(w + n - slen, suffix);
			}
			last = w;
		}
		if (match && last)
			sum += strtoull(last, NULL, 10);
	}
	free(line);
	fclose(f);
	return sum;
}

uint64_t nc_udp_port_drops(long long port)
{
	char suffix[8];
	snprintf(suffix, sizeof suffix, ":%04llX", port);
	return file_port_drops("/proc/self/net/udp", suffix) + file_port_drops("/proc/self/net/udp6", suffix);
}
