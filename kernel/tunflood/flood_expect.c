#include "flood_expect.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int flood_reader_slower(const struct flood_row *r)
{
	return r->reader_rate_pps > 0 && (r->rate_pps == 0 || r->reader_rate_pps < r->rate_pps);
}

static int is_nodrop(const char *variant)
{
	return !strncmp(variant, "nodrop-", 7);
}

static int has_qdisc(const struct flood_row *r)
{
	return r->qdisc[0] && strcmp(r->qdisc, "noqueue") != 0;
}

/* "pfifo limit 25000": a FIFO big enough to hold the whole flood. */
static int is_big_pfifo(const struct flood_row *r)
{
	return !strcmp(r->qdisc, "pfifo") && r->qdisc_limit >= 25000;
}

static void add(char *msg, size_t len, int *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *msg, size_t len, int *n, const char *fmt, ...)
{
	size_t used = strlen(msg);
	if (used + 1 < len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg + used, len - used, fmt, ap);
		va_end(ap);
		used = strlen(msg);
		if (used + 1 < len) {
			msg[used] = '\n';
			msg[used + 1] = 0;
		}
	}
	(*n)++;
}

int flood_expect_check(const struct flood_row *r, char *msg, size_t len)
{
	int n = 0;
	if (len)
		msg[0] = 0;
	if (!r->hung && r->unexplained != 0)
		add(msg, len, &n,
		    "accounting: every lost packet is counted somewhere (lost %lld = ring %lld + dev %lld + qdisc %lld + socket %lld + stuck %lld, unexplained %lld)",
		    r->lost, r->ring_drops, r->dev_drops, r->qdisc_drops, r->socket_drops, r->stuck,
		    r->unexplained);
	if (!strcmp(r->variant, "stock") && flood_reader_slower(r) && r->ring_drops <= 0)
		add(msg, len, &n,
		    "stock loses packets in the ring when the reader is slower than the sender (ring drops %lld)",
		    r->ring_drops);
	if (is_nodrop(r->variant)) {
		if (has_qdisc(r) && r->ring_drops != 0)
			add(msg, len, &n,
			    "%s never drops in the ring when a qdisc is attached (ring drops %lld)",
			    r->variant, r->ring_drops);
		if (is_big_pfifo(r) && r->blocking && r->lost != 0)
			add(msg, len, &n,
			    "%s with pfifo limit >= 25000 and a blocking sender loses no packet (lost %lld)",
			    r->variant, r->lost);
		if (r->hung)
			add(msg, len, &n, "%s never hangs (hung)", r->variant);
	}
	if (!strcmp(r->variant, "nodrop-qdisc") && !has_qdisc(r) && flood_reader_slower(r) &&
	    r->ring_drops <= 0)
		add(msg, len, &n,
		    "nodrop-qdisc with noqueue keeps the tail drop: the ring drops when the reader is slower (ring drops %lld)",
		    r->ring_drops);
	return n;
}
