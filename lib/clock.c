#include "tb/clock.h"

#include <errno.h>

int64_t tb_clock_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return tb_timespec_to_ns(&ts);
}

struct timespec tb_ns_to_timespec(int64_t ns)
{
	struct timespec ts;
	ts.tv_sec = (time_t)(ns / TB_NS_PER_SEC);
	ts.tv_nsec = (long)(ns % TB_NS_PER_SEC);
	if (ts.tv_nsec < 0) { /* keep tv_nsec in [0, 1e9) for negative inputs */
		ts.tv_sec -= 1;
		ts.tv_nsec += TB_NS_PER_SEC;
	}
	return ts;
}

int64_t tb_timespec_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * TB_NS_PER_SEC + ts->tv_nsec;
}

int tb_sleep_until_mono_ns(int64_t deadline_ns)
{
	if (deadline_ns <= tb_mono_ns())
		return -1;
	struct timespec ts = tb_ns_to_timespec(deadline_ns);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return 0;
}
