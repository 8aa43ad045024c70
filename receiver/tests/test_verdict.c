/* The decoder's verdict carried along the reference chain: a reference
 * frame the decoder rejects damages every frame after it until the next
 * intact IDR; a rejected non-reference frame damages only itself; frames
 * not decoded keep the chain rule's verdict; a new stream starts clean. */
#include "verdict.h"
#include "tb/check.h"

#include <string.h>

static struct tb_frame_rec frame(uint32_t stream, int decodable, int idr, int reference)
{
	struct tb_frame_rec f;
	memset(&f, 0, sizeof f);
	f.stream = stream;
	f.decodable = decodable;
	f.complete = decodable;
	f.au.idr = idr;
	f.au.reference = reference;
	return f;
}

int main(void)
{
	struct tb_verdict v = { 0 };
	struct tb_frame_rec idr = frame(0, 1, 1, 1), p = frame(0, 1, 0, 1), b = frame(0, 1, 0, 0);
	struct tb_frame_rec lost = frame(0, 0, 0, 1);

	CHECK_EQ_I64(tb_verdict_frame(&v, &idr, 1), 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 1);
	/* a rejected non-reference frame: only itself */
	CHECK_EQ_I64(tb_verdict_frame(&v, &b, 0), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 1);
	/* not decoded: the chain rule's verdict stands */
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, -1), 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &lost, -1), 0);
	/* a rejected reference frame: it and everything up to the next IDR */
	CHECK_EQ_I64(tb_verdict_frame(&v, &idr, 1), 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 0), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &b, 1), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, -1), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &idr, 1), 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 1);
	/* an IDR the decoder rejects breaks its own chain */
	CHECK_EQ_I64(tb_verdict_frame(&v, &idr, 0), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 0);
	/* a damaged IDR (missing packets) does not end the break */
	struct tb_frame_rec bad_idr = frame(0, 0, 1, 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &bad_idr, 0), 0);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p, 1), 0);
	/* a new stream starts clean */
	struct tb_frame_rec p1 = frame(1, 1, 0, 1);
	CHECK_EQ_I64(tb_verdict_frame(&v, &p1, 1), 1);
	return TB_CHECK_SUMMARY();
}
