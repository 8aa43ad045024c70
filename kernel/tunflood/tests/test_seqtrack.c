/* Sequence bookkeeping: exact counts for loss, gaps, duplicates, reordering. */
#include "seqtrack.h"
#include "tb/check.h"

static void test_in_order_with_gaps(void)
{
	struct seqtrack t;
	CHECK(seqtrack_init(&t, 16) == 0);
	/* 0..9 sent; 3,4 and 7 and 9 missing. */
	const uint64_t got[] = {0, 1, 2, 5, 6, 8};
	for (unsigned i = 0; i < sizeof got / sizeof got[0]; i++)
		CHECK(seqtrack_add(&t, got[i]) == 0);
	CHECK_EQ_I64(t.unique, 6);
	CHECK_EQ_I64(seqtrack_missing(&t, 10), 4);
	CHECK_EQ_I64(seqtrack_gaps(&t, 10), 3); /* {3,4} {7} {9} */
	CHECK_EQ_I64(t.jumps, 2);               /* 2->5, 6->8 */
	CHECK_EQ_I64(t.reordered, 0);
	CHECK_EQ_I64(t.duplicates, 0);
	CHECK_EQ_I64(t.highest, 8);
	CHECK_EQ_I64(seqtrack_beyond(&t, 10), 0);
	CHECK(seqtrack_has(&t, 0) && seqtrack_has(&t, 8) && !seqtrack_has(&t, 3));
	CHECK(!seqtrack_has(&t, 9) && !seqtrack_has(&t, 1000000)); /* beyond the bitmap */
	seqtrack_free(&t);
}

static void test_reorder_duplicates_growth(void)
{
	struct seqtrack t;
	CHECK(seqtrack_init(&t, 1) == 0);
	CHECK(seqtrack_add(&t, 2) == 0); /* first arrival skipped 0,1: a jump */
	CHECK(seqtrack_add(&t, 0) == 0); /* reordered */
	CHECK(seqtrack_add(&t, 2) == 0); /* duplicate */
	CHECK(seqtrack_add(&t, 1) == 0); /* reordered */
	CHECK(seqtrack_add(&t, 100000) == 0); /* grows the bitmap */
	CHECK(seqtrack_add(&t, 3) == 0);
	CHECK_EQ_I64(t.unique, 5);
	CHECK_EQ_I64(t.duplicates, 1);
	CHECK_EQ_I64(t.reordered, 3); /* 0, 1, and 3 after 100000 */
	CHECK_EQ_I64(t.jumps, 2);
	CHECK_EQ_I64(seqtrack_missing(&t, 4), 0);
	CHECK_EQ_I64(seqtrack_gaps(&t, 4), 0);
	CHECK_EQ_I64(seqtrack_beyond(&t, 4), 1);
	CHECK_EQ_I64(seqtrack_missing(&t, 100001), 100001 - 5);
	CHECK_EQ_I64(seqtrack_gaps(&t, 100001), 1);
	CHECK(seqtrack_add(&t, 1ULL << 41) == -1); /* refused, not a huge allocation */
	seqtrack_free(&t);
}

static void test_nothing_received(void)
{
	struct seqtrack t;
	CHECK(seqtrack_init(&t, 0) == 0);
	CHECK_EQ_I64(seqtrack_missing(&t, 1000), 1000);
	CHECK_EQ_I64(seqtrack_gaps(&t, 1000), 1);
	CHECK_EQ_I64(seqtrack_gaps(&t, 0), 0);
	seqtrack_free(&t);
}

int main(void)
{
	test_in_order_with_gaps();
	test_reorder_duplicates_growth();
	test_nothing_received();
	return TB_CHECK_SUMMARY();
}
