/* Nanosecond clock helpers.
 *
 * All timestamps the testbed stores are int64 nanoseconds. Sender and receiver
 * run inside one (guest) kernel, so CLOCK_REALTIME readings taken on both ends
 * are directly comparable: one-way latency needs no clock sync. Monotonic time
 * is used for pacing and intervals. */
#ifndef TB_CLOCK_H
#define TB_CLOCK_H

#include <stdint.h>
#include <time.h>

#define TB_NS_PER_SEC  1000000000LL
#define TB_NS_PER_MSEC 1000000LL
#define TB_NS_PER_USEC 1000LL

int64_t tb_clock_ns(clockid_t clk);
static inline int64_t tb_mono_ns(void) { return tb_clock_ns(CLOCK_MONOTONIC); }
static inline int64_t tb_real_ns(void) { return tb_clock_ns(CLOCK_REALTIME); }

struct timespec tb_ns_to_timespec(int64_t ns);
int64_t tb_timespec_to_ns(const struct timespec *ts);

/* Sleep until an absolute CLOCK_MONOTONIC time; restarts after signals.
 * Returns 0, or -1 if the deadline is already past (no sleep done). */
int tb_sleep_until_mono_ns(int64_t deadline_ns);

static inline double tb_ns_to_ms(int64_t ns) { return (double)ns / 1e6; }

#endif
