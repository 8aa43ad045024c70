/* See reasm.h. Frames in flight are few (a handful normally, at most
 * max_frames), so they live in a small array searched linearly. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#define SEEN_BITS 65536          /* duplicate detection window, in sequence numbers */
#define MAX_PLACEHOLDERS 10000   /* lost frames emitted one by one per frame-number gap */
/* Extended sequence numbers start at 65536 + the first packet's number so
 * that packets reordered before it stay positive inside; outside they are
 * reported relative to 0 (the first packet's own number, counting on past
 * 65535 across wraps). */
#define EXT_SEQ_BASE 65536
/* A sender restarted with the same SSRC: frame numbers far back (more than
 * anything could be waiting for) and sequence numbers far off. */
#define RESTART_FRAMES 300
#define RESTART_SEQ 1000

struct pkt {
	int64_t ext_seq, arrival_ns, send_ns;
	size_t off, len;
};

struct frame {
	int64_t order;            /* ext mode: frame number; else: lowest ext seq seen */
	int64_t key;              /* ext mode: frame number; else: RTP timestamp */
	uint32_t ts;
	int pkt_count;            /* ext mode: from the extension; else -1 */
	int64_t first_seq;        /* ext mode: ext seq of packet index 0; else -1 */
	int64_t marker_seq, min_seq, max_seq;
	int64_t first_arrival, last_arrival, capture_ns, send_ns;
	struct pkt *pkts;
	size_t npkts, pcap;
	uint8_t *data;
	size_t dlen, dcap;
};

struct stream {
	int active, ext_mode, emitted_any, chain_ok, have_prev_ssrc;
	uint32_t ssrc, prev_ssrc, index;
	int64_t max_ext, min_ext;
	int64_t max_fno;          /* highest extended frame number seen (ext mode) */
	int64_t last_fno;         /* last emitted frame number */
	int64_t last_end_seq;     /* ext seq of the last packet of the last emitted frame */
	int64_t next_index;       /* frame numbers without the extension */
	uint8_t seen[SEEN_BITS / 8];
};

struct tb_reasm {
	struct tb_reasm_cfg cfg;
	tb_frame_cb fcb;
	tb_pkt_cb pcb;
	void *ctx;
	struct frame *frames;     /* max_frames slots; a slot is used when pkts != NULL */
	size_t nframes, bytes;
	struct stream st;
	struct tb_recv_counters c;
	uint64_t expected_done;   /* expected packets of streams already ended */
	uint8_t *scratch;         /* Annex-B output of the frame being emitted */
	size_t scratch_cap;
};

static const char *const mal_names[TB_MAL_COUNT] = {
	"truncated", "bad-version", "bad-padding", "bad-csrc-length", "bad-extension-length",
	"bogus-extension-element", "oversized", "empty-payload", "missing-extension",
	"extension-mismatch", "frame-too-big", "bad-h264-payload",
};

const char *tb_reasm_malformed_name(int reason)
{
	return reason >= 0 && reason < TB_MAL_COUNT ? mal_names[reason] : "unknown";
}

static void malformed(struct tb_reasm *r, int reason, uint64_t n)
{
	r->c.malformed_by[reason] += n;
	r->c.malformed += n;
}

struct tb_reasm *tb_reasm_new(const struct tb_reasm_cfg *cfg, tb_frame_cb fcb, tb_pkt_cb pcb,
			      void *ctx)
{
	struct tb_reasm *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg.hold_ns = 500000000;
	r->cfg.max_frames = 256;
	r->cfg.max_bytes = 64u << 20;
	r->cfg.max_frame_pkts = 8192;
	if (cfg) {
		if (cfg->hold_ns > 0)
			r->cfg.hold_ns = cfg->hold_ns;
		if (cfg->max_frames > 0)
			r->cfg.max_frames = cfg->max_frames;
		if (cfg->max_bytes > 0)
			r->cfg.max_bytes = cfg->max_bytes;
		if (cfg->max_frame_pkts > 0)
			r->cfg.max_frame_pkts = cfg->max_frame_pkts;
		r->cfg.select_ssrc = cfg->select_ssrc;
		r->cfg.ssrc = cfg->ssrc;
		r->cfg.payload_type = cfg->payload_type;
	}
	r->fcb = fcb;
	r->pcb = pcb;
	r->ctx = ctx;
	r->frames = calloc(r->cfg.max_frames, sizeof *r->frames);
	if (!r->frames) {
		free(r);
		return NULL;
	}
	return r;
}

static void free_frame(struct tb_reasm *r, struct frame *f)
{
	r->bytes -= f->dlen;
	r->nframes--;
	free(f->pkts);
	free(f->data);
	memset(f, 0, sizeof *f);
}

/* Slots fill from the lowest free one, so the used ones cluster at the
 * start: scans stop once all nframes used slots were seen. */
static struct frame *head_frame(struct tb_reasm *r)
{
	struct frame *h = NULL;
	size_t seen = 0;
	for (size_t i = 0; i < r->cfg.max_frames && seen < r->nframes; i++)
		if (r->frames[i].pkts) {
			seen++;
			if (!h || r->frames[i].order < h->order)
				h = &r->frames[i];
		}
	return h;
}

static void emit_lost_frames(struct tb_reasm *r, const struct frame *next)
{
	struct stream *s = &r->st;
	int64_t gap = next->key - s->last_fno - 1;
	if (!s->emitted_any || gap <= 0)
		return;
	s->chain_ok = 0;
	if (gap > MAX_PLACEHOLDERS) {
		r->c.frames_untracked += (uint64_t)gap;
		return;
	}
	int64_t between = next->first_seq - s->last_end_seq - 1;
	for (int64_t k = 1; k <= gap; k++) {
		struct tb_frame_rec f = {
			.stream = s->index, .ssrc = s->ssrc, .frame_no = s->last_fno + k, .has_ext = 1,
				.first_seq = TB_SEQ_UNKNOWN, .pkts_expected = gap == 1 && between > 0 ? (int)between : -1,
			.first_arrival_ns = -1, .last_arrival_ns = -1,
			.capture_ns = -1, .send_ns = -1, .latency_ns = -1,
		};
		r->c.frames++;
		if (r->fcb)
			r->fcb(r->ctx, &f);
	}
}

/* Where a frame without the extension starts: right after the previous one. */
static int64_t noext_start(const struct stream *s, const struct frame *f)
{
	return s->emitted_any ? s->last_end_seq + 1 : f->min_seq;
}

static int frame_all_there(const struct stream *s, const struct frame *f)
{
	if (s->ext_mode)
		return (int64_t)f->npkts == f->pkt_count;
	return f->marker_seq >= 0 &&
	       (int64_t)f->npkts == f->marker_seq - noext_start(s, f) + 1;
}

static void emit(struct tb_reasm *r, struct frame *f)
{
	struct stream *s = &r->st;
	struct tb_frame_rec rec = {
		.stream = s->index, .ssrc = s->ssrc, .has_ext = s->ext_mode, .rtp_ts = f->ts,
		.pkts_received = (int)f->npkts, .first_arrival_ns = f->first_arrival,
		.last_arrival_ns = f->last_arrival, .capture_ns = -1, .send_ns = -1, .latency_ns = -1,
	};
	int64_t start, end;
	if (s->ext_mode) {
		emit_lost_frames(r, f);
		rec.frame_no = f->key;
		start = f->first_seq;
		end = f->first_seq + f->pkt_count - 1;
		rec.capture_ns = f->capture_ns;
		rec.send_ns = f->send_ns;
		rec.latency_ns = f->last_arrival - f->capture_ns;
	} else {
		rec.frame_no = s->next_index++;
		start = noext_start(s, f);
		end = f->marker_seq >= 0 && f->marker_seq > f->max_seq ? f->marker_seq : f->max_seq;
	}
	rec.first_seq = start - EXT_SEQ_BASE;
	rec.pkts_expected = end - start + 1 <= INT32_MAX ? (int)(end - start + 1) : -1;

	/* Worst-case Annex-B growth: STAP-A turns 3 bytes into 5, a packet adds
	 * at most 4 bytes of start code. */
	size_t need = 2 * f->dlen + 8 * f->npkts + 64;
	if (need > r->scratch_cap) {
		uint8_t *p = realloc(r->scratch, need);
		if (p) {
			r->scratch = p;
			r->scratch_cap = need;
		}
	}
	struct tb_depay_pkt stackp[64], *dp = f->npkts <= 64 ? stackp : malloc(f->npkts * sizeof *dp);
	size_t n = dp ? f->npkts : 0;
	for (size_t i = 0; i < n; i++)
		dp[i] = (struct tb_depay_pkt){ f->pkts[i].ext_seq, f->data + f->pkts[i].off, f->pkts[i].len };
	rec.annexb = r->scratch;
	rec.annexb_len = tb_depay_au(dp, n, start, r->scratch, r->scratch ? r->scratch_cap : 0, &rec.au);
	if (dp != stackp)
		free(dp);
	rec.size_bytes = (int64_t)rec.annexb_len;
	if (rec.au.malformed_pkts)
		malformed(r, TB_MAL_PAYLOAD, (uint64_t)rec.au.malformed_pkts);

	rec.complete = rec.pkts_received == rec.pkts_expected && (s->ext_mode || f->marker_seq >= 0) &&
		       !rec.au.malformed_pkts && !rec.au.dropped_nals && !rec.au.overflow && n == f->npkts;
	if (rec.complete && rec.au.idr) {
		rec.decodable = 1;
		s->chain_ok = 1;
	} else if (rec.complete && s->chain_ok) {
		rec.decodable = 1;
	} else if (!(rec.au.slices > 0 && !rec.au.reference)) {
		s->chain_ok = 0;  /* a damaged reference frame (or one we know nothing of) */
	}
	r->c.frames++;
	r->c.frames_complete += (uint64_t)rec.complete;
	r->c.frames_decodable += (uint64_t)rec.decodable;
	if (r->fcb)
		r->fcb(r->ctx, &rec);

	s->emitted_any = 1;
	s->last_end_seq = end;
	s->last_fno = s->ext_mode ? f->key : rec.frame_no;
	free_frame(r, f);
}

/* Emit frames from the head while they are ready; now < 0 means flush all. */
static void try_emit(struct tb_reasm *r, int64_t now)
{
	struct frame *h;
	while ((h = head_frame(r))) {
		int ready = now < 0 || now - h->last_arrival >= r->cfg.hold_ns;
		if (!ready && frame_all_there(&r->st, h)) {
			/* Complete, but a frame before it might still come: only go
			 * when it is the very next one. */
			ready = r->st.ext_mode ? !r->st.emitted_any || h->key == r->st.last_fno + 1 : 1;
		}
		if (!ready)
			break;
		emit(r, h);
	}
}

static void force_head(struct tb_reasm *r)
{
	struct frame *h = head_frame(r);
	if (h) {
		r->c.frames_forced++;
		emit(r, h);
	}
}

static void end_stream(struct tb_reasm *r)
{
	struct stream *s = &r->st;
	if (!s->active)
		return;
	try_emit(r, -1);
	r->expected_done += (uint64_t)(s->max_ext - s->min_ext + 1);
	/* Stragglers of an old SSRC are ignored; a restart keeps the SSRC, so
	 * there is no old one to ignore then. */
	s->active = 0;
}

static void start_stream(struct tb_reasm *r, const struct tb_rtp_packet *p)
{
	struct stream *s = &r->st;
	uint32_t idx = r->c.streams ? s->index + 1 : 0;
	uint32_t prev = s->prev_ssrc;
	int have_prev = s->have_prev_ssrc;
	memset(s, 0, sizeof *s);
	s->prev_ssrc = prev;
	s->have_prev_ssrc = have_prev;
	s->active = 1;
	s->index = idx;
	s->ssrc = p->ssrc;
	s->ext_mode = p->has_ext;
	s->max_ext = s->min_ext = EXT_SEQ_BASE + p->seq;
	s->max_fno = p->ext.frame_no;
	r->c.streams++;
}

static int seen_get(const struct stream *s, int64_t e)
{
	uint32_t b = (uint32_t)(e & (SEEN_BITS - 1));
	return s->seen[b >> 3] >> (b & 7) & 1;
}

static void seen_set(struct stream *s, int64_t e, int v)
{
	uint32_t b = (uint32_t)(e & (SEEN_BITS - 1));
	if (v)
		s->seen[b >> 3] |= (uint8_t)(1u << (b & 7));
	else
		s->seen[b >> 3] &= (uint8_t)~(1u << (b & 7));
}

static struct frame *find_frame(struct tb_reasm *r, int64_t key)
{
	size_t seen = 0;
	for (size_t i = 0; i < r->cfg.max_frames && seen < r->nframes; i++)
		if (r->frames[i].pkts) {
			seen++;
			if (r->frames[i].key == key)
				return &r->frames[i];
		}
	return NULL;
}

static struct frame *new_frame(struct tb_reasm *r)
{
	for (size_t i = 0; i < r->cfg.max_frames; i++)
		if (!r->frames[i].pkts) {
			struct frame *f = &r->frames[i];
			f->pcap = 8;
			f->pkts = malloc(f->pcap * sizeof *f->pkts);
			if (!f->pkts)
				return NULL;
			f->marker_seq = -1;
			f->capture_ns = f->send_ns = -1;
			r->nframes++;
			return f;
		}
	return NULL;
}

static int add_pkt(struct tb_reasm *r, struct frame *f, const struct tb_rtp_packet *p, int64_t e,
		   int64_t arrival)
{
	if (f->npkts == f->pcap) {
		struct pkt *np = realloc(f->pkts, 2 * f->pcap * sizeof *np);
		if (!np)
			return -1;
		f->pkts = np;
		f->pcap *= 2;
	}
	if (f->dlen + p->payload_len > f->dcap) {
		size_t cap = f->dcap ? f->dcap : 2048;
		while (cap < f->dlen + p->payload_len)
			cap *= 2;
		uint8_t *nd = realloc(f->data, cap);
		if (!nd)
			return -1;
		f->data = nd;
		f->dcap = cap;
	}
	memcpy(f->data + f->dlen, p->payload, p->payload_len);
	/* Keep packets sorted by sequence number (they mostly come in order). */
	size_t i = f->npkts;
	while (i > 0 && f->pkts[i - 1].ext_seq > e) {
		f->pkts[i] = f->pkts[i - 1];
		i--;
	}
	f->pkts[i] = (struct pkt){ e, arrival, p->has_ext ? p->ext.send_ns : -1, f->dlen, p->payload_len };
	f->npkts++;
	f->dlen += p->payload_len;
	r->bytes += p->payload_len;
	if (f->npkts == 1 || arrival < f->first_arrival)
		f->first_arrival = arrival;
	if (f->npkts == 1 || arrival > f->last_arrival)
		f->last_arrival = arrival;
	if (f->npkts == 1 || e < f->min_seq)
		f->min_seq = e;
	if (f->npkts == 1 || e > f->max_seq)
		f->max_seq = e;
	if (p->marker)
		f->marker_seq = e;
	if (p->has_ext && (f->send_ns < 0 || p->ext.send_ns < f->send_ns))
		f->send_ns = p->ext.send_ns;
	if (!r->st.ext_mode)
		f->order = f->min_seq;
	return 0;
}

static void pkt_log(struct tb_reasm *r, int64_t e, int64_t fno, const struct tb_rtp_packet *p,
		    size_t len, int64_t arrival, int status)
{
	if (!r->pcb)
		return;
	struct tb_pkt_rec k = { r->st.index, e - EXT_SEQ_BASE, fno, len, p->has_ext ? p->ext.send_ns : -1, arrival, status };
	r->pcb(r->ctx, &k);
}

void tb_reasm_packet(struct tb_reasm *r, const uint8_t *buf, size_t len, int64_t arrival)
{
	struct tb_rtp_packet p;
	r->c.datagrams++;
	int rc = tb_rtp_parse(buf, len, &p);
	if (rc) {
		malformed(r, -rc - 1, 1);
		return;
	}
	/* RTCP multiplexed with RTP (RFC 5761): packet types 200-204 read as
	 * marker + payload type 72-76, a range RTP must not use. */
	if (p.payload_type >= 72 && p.payload_type <= 76 && p.marker) {
		r->c.rtcp++;
		return;
	}
	if ((r->cfg.select_ssrc && p.ssrc != r->cfg.ssrc) ||
	    (r->cfg.payload_type > 0 && p.payload_type != r->cfg.payload_type)) {
		r->c.filtered++;
		return;
	}
	if (p.payload_len == 0) {
		malformed(r, TB_MAL_EMPTY, 1);
		return;
	}
	struct stream *s = &r->st;
	if (s->active && p.ssrc != s->ssrc) {
		if (s->have_prev_ssrc && p.ssrc == s->prev_ssrc) {
			r->c.stale_ssrc++;  /* straggler of the stream before: ignored */
			return;
		}
		uint32_t old = s->ssrc;
		end_stream(r);
		s->prev_ssrc = old;
		s->have_prev_ssrc = 1;
	}
	if (!s->active)
		start_stream(r, &p);
	if (s->ext_mode && !p.has_ext) {
		malformed(r, TB_MAL_NO_EXT, 1);
		return;
	}

	int64_t e = s->max_ext + (int16_t)(uint16_t)(p.seq - (uint16_t)s->max_ext);
	if (s->ext_mode && s->emitted_any &&
	    s->max_fno + (int32_t)(p.ext.frame_no - (uint32_t)s->max_fno) < s->last_fno - RESTART_FRAMES &&
	    (e > s->max_ext + RESTART_SEQ || e < s->max_ext - RESTART_SEQ)) {
		r->c.restarts++;
		end_stream(r);
		start_stream(r, &p);
		e = s->max_ext;
	}
	int known = e >= s->min_ext && e <= s->max_ext;
	if (known && seen_get(s, e)) {
		r->c.duplicates++;
		pkt_log(r, e, s->ext_mode ? (int64_t)p.ext.frame_no : -1, &p, len, arrival, 1);
		return;
	}
	int64_t fno = 0, key;
	if (s->ext_mode) {
		fno = s->max_fno + (int32_t)(p.ext.frame_no - (uint32_t)s->max_fno);
		key = fno;
	} else {
		key = p.timestamp;
	}

	/* Is it for a frame already finished? Is there room for a new frame? */
	struct frame *f = NULL;
	for (;;) {
		int late = s->emitted_any && (s->ext_mode ? fno <= s->last_fno : e <= s->last_end_seq);
		if (late)
			break;
		f = find_frame(r, key);
		if (f)
			break;
		if (r->nframes == 0 ||
		    (r->nframes < r->cfg.max_frames && r->bytes + p.payload_len <= r->cfg.max_bytes))
			break;
		force_head(r);
	}
	int late = !f && s->emitted_any && (s->ext_mode ? fno <= s->last_fno : e <= s->last_end_seq);

	if (!late) {
		if (s->ext_mode) {
			int64_t first = e - p.ext.pkt_index;
			if (f && (f->pkt_count != p.ext.pkt_count || f->ts != p.timestamp ||
				  f->first_seq != first)) {
				malformed(r, TB_MAL_EXT_MISMATCH, 1);
				return;
			}
			if (!f && p.ext.pkt_count > r->cfg.max_frame_pkts) {
				malformed(r, TB_MAL_FRAME_TOO_BIG, 1);
				return;
			}
		} else if (f && f->npkts >= r->cfg.max_frame_pkts) {
			malformed(r, TB_MAL_FRAME_TOO_BIG, 1);
			return;
		}
		/* The bytes bound holds for the frame the packet joins too. */
		while (f && r->bytes + p.payload_len > r->cfg.max_bytes && r->nframes > 1 &&
		       head_frame(r) != f)
			force_head(r);
		if (r->bytes + p.payload_len > r->cfg.max_bytes) {
			malformed(r, TB_MAL_FRAME_TOO_BIG, 1);
			return;
		}
	}

	/* Accept it: advance the sequence window. */
	if (e > s->max_ext) {
		int64_t clear = e - s->max_ext;
		if (clear >= SEEN_BITS)
			memset(s->seen, 0, sizeof s->seen);
		else
			for (int64_t k = s->max_ext + 1; k <= e; k++)
				seen_set(s, k, 0);
		s->max_ext = e;
	} else if (e < s->max_ext) {
		r->c.reordered++;
	}
	if (e < s->min_ext)
		s->min_ext = e;
	seen_set(s, e, 1);
	if (s->ext_mode && fno > s->max_fno)
		s->max_fno = fno;
	r->c.received++;

	if (late) {
		r->c.late++;
		pkt_log(r, e, s->ext_mode ? fno : -1, &p, len, arrival, 2);
		return;
	}
	if (!f) {
		f = new_frame(r);
		if (!f)
			return;  /* out of memory: counted as received, lost from frames */
		f->key = key;
		f->order = s->ext_mode ? fno : e;
		f->ts = p.timestamp;
		f->pkt_count = s->ext_mode ? p.ext.pkt_count : -1;
		f->first_seq = s->ext_mode ? e - p.ext.pkt_index : -1;
		if (s->ext_mode)
			f->capture_ns = p.ext.capture_ns;
	}
	if (add_pkt(r, f, &p, e, arrival))
		return;
	pkt_log(r, e, s->ext_mode ? fno : -1, &p, len, arrival, 0);
	try_emit(r, arrival);
}

void tb_reasm_tick(struct tb_reasm *r, int64_t now_ns)
{
	if (now_ns >= 0)
		try_emit(r, now_ns);
}

void tb_reasm_flush(struct tb_reasm *r)
{
	try_emit(r, -1);
}

void tb_reasm_counters(const struct tb_reasm *r, struct tb_recv_counters *out)
{
	*out = r->c;
	out->expected = r->expected_done;
	if (r->st.active)
		out->expected += (uint64_t)(r->st.max_ext - r->st.min_ext + 1);
}

size_t tb_reasm_frames_in_flight(const struct tb_reasm *r) { return r->nframes; }
size_t tb_reasm_bytes_in_flight(const struct tb_reasm *r) { return r->bytes; }

void tb_reasm_free(struct tb_reasm *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cfg.max_frames; i++)
		if (r->frames[i].pkts)
			free_frame(r, &r->frames[i]);
	free(r->frames);
	free(r->scratch);
	free(r);
}
