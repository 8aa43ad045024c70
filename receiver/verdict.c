#include "verdict.h"

int tb_verdict_frame(struct tb_verdict *v, const struct tb_frame_rec *f, int dec_ok)
{
	if (!v->started || f->stream != v->stream) {
		v->started = 1;
		v->stream = f->stream;
		v->broken = 0;
	}
	if (f->decodable && f->au.idr)
		v->broken = 0;  /* an intact IDR starts a new chain */
	int ok = f->decodable && dec_ok != 0 && !v->broken;
	if (f->decodable && dec_ok == 0 && f->au.reference)
		v->broken = 1;
	return ok;
}
