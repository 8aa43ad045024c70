/* tb-watch: sample a TUN device's ring and root qdisc at a fixed rate into
 * the results store until SIGINT/SIGTERM or --duration (see watch.h). */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tb/clock.h"
#include "tb/err.h"
#include "watch.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Sleep until the CLOCK_MONOTONIC time; returns early (-1) on a signal. */
static int sleep_until(int64_t mono_ns)
{
	struct timespec ts = tb_ns_to_timespec(mono_ns);
	int rc;
	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
		if (stop)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-watch");
	struct watch_opts o;
	watch_parse_opts(argc, argv, &o);
	char err[512];
	if (watch_check_sysfs(o.dev, err, sizeof err))
		tb_die("--dev %s: %s", o.dev, err);
	if (!if_nametoindex(o.qdisc_dev))
		tb_die("--qdisc-dev %s: no such network device in this network namespace", o.qdisc_dev);

	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a signal ends the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct watch_reading first, prev, cur;
	if (watch_read(&o, &first, err, sizeof err))
		tb_die("%s", err);
	struct watch_db *db = watch_db_open(&o, &first);
	const int64_t period = TB_NS_PER_SEC / o.hz;
	const int64_t end = o.duration_s > 0 ? first.mono_ns + (int64_t)(o.duration_s * 1e9) : 0;
	int64_t next = first.mono_ns + period;
	long long samples = 0, unreadable = 0, ring_drops = 0, qdisc_drops = 0, sndbuf_errors = 0;
	prev = first;
	for (;;) {
		int woke = stop ? -1 : sleep_until(next);
		if (watch_read(&o, &cur, err, sizeof err)) {
			/* the device is gone (a VPN restarting): keep watching for it */
			if (!unreadable++)
				tb_warn("%s; sampling resumes when it is back", err);
		} else {
			watch_db_sample(db, &prev, &cur);
			ring_drops += watch_delta(prev.tx_dropped, cur.tx_dropped);
			if (prev.qdisc_drops >= 0 && cur.qdisc_drops >= 0)
				qdisc_drops += watch_delta(prev.qdisc_drops, cur.qdisc_drops);
			if (prev.udp_sndbuf_errors >= 0 && cur.udp_sndbuf_errors >= 0)
				sndbuf_errors += watch_delta(prev.udp_sndbuf_errors, cur.udp_sndbuf_errors);
			prev = cur;
			samples++;
		}
		if (woke < 0 || (end && next >= end))
			break; /* the signal's reading was the last */
		next += period;
		int64_t now = tb_mono_ns();
		if (next <= now) /* a slow disk or a stalled machine: skip the ticks missed */
			next = now + period - (now - next) % period;
	}
	long long run_id = watch_db_run_id(db);
	long long rows = watch_db_close(db, &first, &prev, "done");
	if (!o.quiet)
		printf("tb-watch: dev=%s run_id=%lld samples=%lld rows=%lld seconds=%.3f ring_drops=%lld qdisc_drops=%lld "
		       "udp_sndbuf_errors=%lld unreadable=%lld\n",
		       o.dev, run_id, samples, rows, (double)(prev.mono_ns - first.mono_ns) / 1e9,
		       ring_drops, qdisc_drops, sndbuf_errors, unreadable);
	return 0;
}
