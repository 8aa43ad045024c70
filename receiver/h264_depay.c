/* See h264_depay.h. */
#include "h264_depay.h"

#include <string.h>

enum { NAL_STAP_A = 24, NAL_FU_A = 28 };

struct writer {
	uint8_t *out;
	size_t cap, len;
	struct tb_au_info *info;
	size_t open_at;           /* output offset of an FU-A NAL being built */
	int open_type;            /* its NAL type, or -1 when none is open */
	int skip_type;            /* FU-A whose start was lost: its later fragments are
				   * skipped (loss, not malformation); -1 when none */
};

static void put(struct writer *w, const uint8_t *p, size_t n)
{
	if (w->info->overflow || n > w->cap - w->len) {
		w->info->overflow = 1;
		return;
	}
	memcpy(w->out + w->len, p, n);
	w->len += n;
}

/* Exp-Golomb reader over the slice header; emulation prevention bytes
 * (00 00 03) are skipped. Returns -1 when the data runs out. */
struct bits {
	const uint8_t *p;
	size_t len, byte;
	int bit, zeros;
};

static int read_bit(struct bits *b)
{
	if (b->bit == 0) {
		if (b->byte >= b->len)
			return -1;
		if (b->zeros >= 2 && b->p[b->byte] == 3) {
			b->zeros = 0;
			if (++b->byte >= b->len)
				return -1;
		}
		b->zeros = b->p[b->byte] == 0 ? b->zeros + 1 : 0;
	}
	int v = (b->p[b->byte] >> (7 - b->bit)) & 1;
	if (++b->bit == 8) {
		b->bit = 0;
		b->byte++;
	}
	return v;
}

static long read_ue(struct bits *b)
{
	int lz = 0, v;
	while ((v = read_bit(b)) == 0)
		if (++lz > 31)
			return -1;
	if (v < 0)
		return -1;
	long x = 0;
	for (int i = 0; i < lz; i++) {
		if ((v = read_bit(b)) < 0)
			return -1;
		x = x << 1 | v;
	}
	return (1L << lz) - 1 + x;
}

/* Look at a complete NAL unit (header byte first) for the frame summary. */
static void note_nal(struct tb_au_info *info, const uint8_t *nal, size_t len)
{
	info->nals++;
	int type = nal[0] & 0x1f;
	if (type != 1 && type != 5)
		return;
	info->slices++;
	if ((nal[0] >> 5) & 3)
		info->reference = 1;
	if (type == 5) {
		info->idr = 1;
		strcpy(info->type, "IDR");
		return;
	}
	struct bits b = { nal + 1, len - 1, 0, 0, 0 };
	if (read_ue(&b) < 0)            /* first_mb_in_slice */
		return;
	long st = read_ue(&b);
	if (st < 0 || st > 9)
		return;
	static const char *const names[] = { "P", "B", "I", "P", "I" };  /* P B I SP SI */
	const char *n = names[st % 5];
	/* The frame's type is the "most dependent" of its slices: B > P > I. */
	if (strcmp(info->type, "IDR") == 0 || strcmp(info->type, "B") == 0)
		return;
	if (info->type[0] == 0 || n[0] == 'B' || (n[0] == 'P' && info->type[0] == 'I'))
		strcpy(info->type, n);
}

static const uint8_t start_code[4] = { 0, 0, 0, 1 };

static void whole_nal(struct writer *w, const uint8_t *nal, size_t len)
{
	put(w, start_code, 4);
	put(w, nal, len);
	if (!w->info->overflow)
		note_nal(w->info, nal, len);
}

static void drop_open(struct writer *w)
{
	if (w->open_type >= 0) {
		w->len = w->open_at;
		w->open_type = -1;
	}
}

static int stap_a(struct writer *w, const uint8_t *p, size_t len)
{
	size_t i = 1;
	if (len < 4)
		return -1;
	/* Validate all sizes before writing anything. */
	while (i < len) {
		if (len - i < 2)
			return -1;
		size_t n = (size_t)p[i] << 8 | p[i + 1];
		if (n == 0 || n > len - i - 2)
			return -1;
		i += 2 + n;
	}
	for (i = 1; i < len;) {
		size_t n = (size_t)p[i] << 8 | p[i + 1];
		whole_nal(w, p + i + 2, n);
		i += 2 + n;
	}
	return 0;
}

/* One FU-A fragment; gap says packets are missing right before it. */
static int fu_a(struct writer *w, const uint8_t *p, size_t len, int gap)
{
	if (len < 3)
		return -1;
	int s = p[1] & 0x80, e = p[1] & 0x40, type = p[1] & 0x1f;
	if ((s && e) || type == 0 || type >= NAL_STAP_A)
		return -1;
	if (s) {
		w->skip_type = -1;
		/* Start twice with nothing missing: the first NAL is broken (the
		 * packet counts as malformed), the new one is built. */
		int twice = w->open_type >= 0;
		drop_open(w);
		w->open_at = w->len;
		w->open_type = type;
		put(w, start_code, 4);
		uint8_t hdr = (uint8_t)((p[0] & 0xe0) | type);
		put(w, &hdr, 1);
		put(w, p + 2, len - 2);
		return twice ? -1 : 0;
	}
	if (w->open_type < 0) {
		/* A continuation without its start: after missing packets that is
		 * loss (skip the rest of this NAL); with nothing missing it is
		 * impossible. */
		if (gap) {
			int first = w->skip_type != type;
			w->skip_type = e ? -1 : type;
			return first ? 1 : 0;
		}
		if (w->skip_type == type) {
			if (e)
				w->skip_type = -1;
			return 0;
		}
		return -1;
	}
	if (w->open_type != type) {
		drop_open(w);
		return -1;
	}
	put(w, p + 2, len - 2);
	if (e && !w->info->overflow) {
		note_nal(w->info, w->out + w->open_at + 4, w->len - w->open_at - 4);
		w->open_type = -1;
	}
	return 0;
}

size_t tb_depay_au(const struct tb_depay_pkt *pkts, size_t n, int64_t first_seq, uint8_t *out,
		   size_t cap, struct tb_au_info *info)
{
	memset(info, 0, sizeof *info);
	struct writer w = { out, cap, 0, info, 0, -1, -1 };
	int64_t expect = first_seq;
	for (size_t i = 0; i < n; i++) {
		const struct tb_depay_pkt *k = &pkts[i];
		int gap = expect < 0 || k->ext_seq != expect;
		expect = k->ext_seq + 1;
		if (gap && w.open_type >= 0) {
			int type = w.open_type;
			drop_open(&w);
			w.skip_type = type;  /* its remaining fragments are loss */
			info->dropped_nals++;
		}
		int r = 0;
		if (k->len == 0) {
			r = -1;
		} else {
			int type = k->payload[0] & 0x1f;
			if (k->payload[0] & 0x80)       /* forbidden_zero_bit */
				r = -1;
			else if (type >= 1 && type <= 23) {
				w.skip_type = -1;
				if (w.open_type >= 0) {   /* FU-A interrupted by another NAL */
					drop_open(&w);
					r = -1;
				}
				whole_nal(&w, k->payload, k->len);
			} else if (type == NAL_STAP_A) {
				w.skip_type = -1;
				if (w.open_type >= 0) {
					drop_open(&w);
					r = -1;
				}
				if (stap_a(&w, k->payload, k->len))
					r = -1;
			} else if (type == NAL_FU_A) {
				r = fu_a(&w, k->payload, k->len, gap);
				if (r > 0) {
					info->dropped_nals++;
					r = 0;
				}
			} else {
				r = -1;  /* 0, STAP-B, MTAP16/24, FU-B, reserved: not for us */
			}
		}
		if (r < 0)
			info->malformed_pkts++;
	}
	if (w.open_type >= 0) {  /* last fragment missing */
		drop_open(&w);
		info->dropped_nals++;
	}
	return w.len;
}
