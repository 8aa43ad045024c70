/* Sequence-number bookkeeping of the flood's reader: which of the packets
 * 0..N-1 arrived, how often, and in which order. Pure; unit-tested. */
#ifndef TB_SEQTRACK_H
#define TB_SEQTRACK_H

#include <stdint.h>

struct seqtrack {
	uint8_t *seen;        /* one bit per sequence number */
	uint64_t cap_bits;    /* sequence numbers the bitmap covers */
	uint64_t unique;      /* distinct sequence numbers received */
	uint64_t duplicates;  /* receptions of an already seen number */
	uint64_t reordered;   /* new numbers below the highest seen so far */
	uint64_t jumps;       /* arrivals that skipped over numbers (seq > highest + 1) */
	uint64_t highest;     /* highest number received (valid when unique > 0) */
};

/* Returns 0, or -1 when out of memory. */
int seqtrack_init(struct seqtrack *t, uint64_t initial_cap);
void seqtrack_free(struct seqtrack *t);

/* Record one arrival. Returns 0, or -1 when the bitmap cannot grow to hold
 * seq (out of memory, or seq beyond 2^40). */
int seqtrack_add(struct seqtrack *t, uint64_t seq);

/* 1 when seq has arrived at least once. */
int seqtrack_has(const struct seqtrack *t, uint64_t seq);

/* Of the numbers 0..sent-1: how many never arrived, and in how many separate
 * runs of consecutive numbers they are missing ("gaps"). Arrivals >= sent are
 * not counted (the caller reports them as foreign). */
uint64_t seqtrack_missing(const struct seqtrack *t, uint64_t sent);
uint64_t seqtrack_gaps(const struct seqtrack *t, uint64_t sent);
/* Arrivals with a number >= sent (should be 0). */
uint64_t seqtrack_beyond(const struct seqtrack *t, uint64_t sent);

#endif
