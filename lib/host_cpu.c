#include "tb/host_cpu.h"

#include <errno.h>
#include <stdlib.h>

static int parse_count(const char **p, long long *out)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	*out = v;
	*p = end;
	return 0;
}

int tb_host_cpu_parse(const char *s, struct tb_host_cpu *out)
{
	long long *fields[] = {&out->total, &out->idle, &out->guest, &out->steal};
	for (int i = 0; i < 4; i++) {
		if (i && *s++ != ' ')
			return -1;
		if (parse_count(&s, fields[i]))
			return -1;
	}
	return *s ? -1 : 0;
}

int tb_host_cpu_shares(const struct tb_host_cpu *b, const struct tb_host_cpu *a, double *other_pct,
		       double *steal_pct)
{
	long long total = a->total - b->total, idle = a->idle - b->idle;
	long long guest = a->guest - b->guest, steal = a->steal - b->steal;
	if (total <= 0 || idle < 0 || guest < 0 || steal < 0 || idle + steal > total)
		return -1;
	long long other = total - idle - steal - guest;
	if (other < 0)
		other = 0;
	*other_pct = 100.0 * (double)other / (double)total;
	*steal_pct = 100.0 * (double)steal / (double)total;
	return 0;
}
