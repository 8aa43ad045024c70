#include "seqtrack.h"

#include <stdlib.h>
#include <string.h>

#define SEQ_LIMIT (1ULL << 40)

static int has(const struct seqtrack *t, uint64_t seq)
{
	return seq < t->cap_bits && (t->seen[seq >> 3] >> (seq & 7)) & 1;
}

int seqtrack_has(const struct seqtrack *t, uint64_t seq)
{
	return has(t, seq);
}

int seqtrack_init(struct seqtrack *t, uint64_t initial_cap)
{
	memset(t, 0, sizeof *t);
	if (initial_cap < 64)
		initial_cap = 64;
	initial_cap = (initial_cap + 7) & ~7ULL;
	t->seen = calloc(initial_cap / 8, 1);
	if (!t->seen)
		return -1;
	t->cap_bits = initial_cap;
	return 0;
}

void seqtrack_free(struct seqtrack *t)
{
	free(t->seen);
	t->seen = NULL;
	t->cap_bits = 0;
}

static int grow(struct seqtrack *t, uint64_t seq)
{
	if (seq >= SEQ_LIMIT)
		return -1;
	uint64_t cap = t->cap_bits;
	while (cap <= seq)
		cap *= 2;
	uint8_t *p = realloc(t->seen, cap / 8);
	if (!p)
		return -1;
	memset(p + t->cap_bits / 8, 0, (cap - t->cap_bits) / 8);
	t->seen = p;
	t->cap_bits = cap;
	return 0;
}

int seqtrack_add(struct seqtrack *t, uint64_t seq)
{
	if (seq >= t->cap_bits && grow(t, seq))
		return -1;
	if (has(t, seq)) {
		t->duplicates++;
		return 0;
	}
	t->seen[seq >> 3] |= (uint8_t)(1u << (seq & 7));
	if (t->unique == 0) {
		if (seq > 0)
			t->jumps++;
		t->highest = seq;
	} else if (seq > t->highest) {
		if (seq > t->highest + 1)
			t->jumps++;
		t->highest = seq;
	} else {
		t->reordered++;
	}
	t->unique++;
	return 0;
}

uint64_t seqtrack_missing(const struct seqtrack *t, uint64_t sent)
{
	uint64_t missing = 0;
	for (uint64_t s = 0; s < sent; s++)
		missing += !has(t, s);
	return missing;
}

uint64_t seqtrack_gaps(const struct seqtrack *t, uint64_t sent)
{
	uint64_t gaps = 0;
	int in_gap = 0;
	for (uint64_t s = 0; s < sent; s++) {
		int miss = !has(t, s);
		if (miss && !in_gap)
			gaps++;
		in_gap = miss;
	}
	return gaps;
}

uint64_t seqtrack_beyond(const struct seqtrack *t, uint64_t sent)
{
	uint64_t n = 0;
	for (uint64_t s = sent; s < t->cap_bits; s++)
		n += has(t, s);
	return n;
}
