/* The flood's two threads: the sender (paced bursts of UDP into the TUN's
 * subnet) and the reader (drains the TUN fd, optionally paced, and tracks
 * sequence numbers). Both write their own struct; the main thread reads it
 * after the thread ends, and only the atomics while it runs. */
#ifndef TB_FLOOD_THREADS_H
#define TB_FLOOD_THREADS_H

#include "flood_opts.h"
#include "seqtrack.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct flood_sender {
	const struct flood_opts *o;
	int fd;
	uint32_t run_id;
	atomic_int stop;
	atomic_int done;
	/* results, read after done */
	long long sent, accepted, eagain, enobufs, enetdown, other;
	int first_other_errno;
	int64_t start_ns, end_ns, in_send_ns, blocked_ns, max_send_ns;
	int timed_out; /* a blocking send hit SO_SNDTIMEO */
};

struct flood_reader {
	const struct flood_opts *o;
	int fd;
	uint32_t run_id;
	pthread_t thread;
	atomic_int stop;
	atomic_int unpaced;        /* drain phase: read as fast as possible */
	atomic_llong last_rx_ns;
	atomic_llong packets;
	struct seqtrack seq;
	long long foreign;
	int64_t lat_sum_ns, lat_max_ns;
	long long lat_n;
	int failed_errno;          /* a read error other than EINTR/EAGAIN */
	int track_failed;
};

/* pthread entry points; arg is a struct flood_sender / struct flood_reader. */
void *flood_sender_main(void *arg);
void *flood_reader_main(void *arg);

#endif
