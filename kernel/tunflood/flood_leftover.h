/* What a flood left in the TUN's ring once its reader stopped. The drain can
 * give up while the qdisc still holds packets (a queue nobody woke); the
 * queue may move them into the ring afterwards, where no reader takes them.
 * Reading the ring back without blocking counts those as stuck_in_ring, from
 * their own sequence numbers, instead of leaving them unexplained. */
#ifndef TB_FLOOD_LEFTOVER_H
#define TB_FLOOD_LEFTOVER_H

#include "seqtrack.h"

#include <stdint.h>

struct flood_leftover {
	struct seqtrack late; /* this flood's numbers read back, not received before */
	long long foreign;    /* other packets read back (IPv6 chatter and the like) */
	int failed_errno;     /* a read error other than EINTR/EAGAIN */
};

/* Returns 0, or -1 when out of memory. */
int flood_leftover_init(struct flood_leftover *l, uint64_t sent);
void flood_leftover_free(struct flood_leftover *l);

/* Read fd (made non-blocking) until the ring is empty. Counts packets of
 * run_id with a number below sent that the reader had not received and that
 * were not read back before. Returns how many of those this call found. */
long long flood_leftover_read(struct flood_leftover *l, int fd, unsigned port, uint32_t run_id,
			      const struct seqtrack *received, uint64_t sent);

#endif
