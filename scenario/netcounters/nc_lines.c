/* The output: every key=value line is collected, then printed in byte
 * order (what `LC_ALL=C sort` does to the shell version's lines), all at
 * once so that a failure midway prints nothing. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcounters.h"
#include "tb/err.h"

static char **lines;
static size_t nlines, cap;

void nc_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tb_die("formatting an output line failed");
	char *s = malloc((size_t)n + 1);
	if (!s)
		tb_die("out of memory");
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (nlines == cap) {
		cap = cap ? 2 * cap : 64;
		char **grown = realloc(lines, cap * sizeof *lines);
		if (!grown)
			tb_die("out of memory");
		lines = grown;
	}
	lines[nlines++] = s;
}

void nc_line_counter(const char *key, const struct nc_link *l, uint64_t value)
{
	if (l->present)
		nc_line("%s=%" PRIu64, key, value);
	else
		nc_line("%s=-1", key);
}

/* As _tb_scenario_qdisc_stats prints it: kind=none without a root qdisc. */
void nc_lines_qdisc(const char *prefix, const struct nc_qdisc *q)
{
	if (!q->present) {
		nc_line("%s.kind=none", prefix);
		return;
	}
	nc_line("%s.kind=%s", prefix, q->kind);
	nc_line("%s.sent_bytes=%" PRIu64, prefix, q->sent_bytes);
	nc_line("%s.sent_pkts=%" PRIu64, prefix, q->sent_pkts);
	nc_line("%s.dropped=%" PRIu32, prefix, q->dropped);
	nc_line("%s.overlimits=%" PRIu32, prefix, q->overlimits);
	nc_line("%s.requeues=%" PRIu32, prefix, q->requeues);
	nc_line("%s.backlog_pkts=%" PRIu32, prefix, q->backlog_pkts);
}

/* strcmp compares as unsigned char: the C locale's collation */
static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nc_lines_flush(void)
{
	qsort(lines, nlines, sizeof *lines, by_bytes);
	for (size_t i = 0; i < nlines; i++) {
		fputs(lines[i], stdout);
		fputc('\n', stdout);
		free(lines[i]);
	}
	free(lines);
	lines = NULL, nlines = cap = 0;
	if (fflush(stdout) || ferror(stdout))
		tb_die_errno("writing the counters");
}
