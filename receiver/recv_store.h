/* tb-recv's rows in the results store: frames_recv and (optionally) packets,
 * written with prepared statements in batched transactions. */
#ifndef TB_RECV_STORE_H
#define TB_RECV_STORE_H

#include "reasm.h"

#include <stddef.h>

struct tb_recv_store;

/* Open (create/migrate) the database. run_id > 0 must name an existing row
 * of runs; run_id <= 0 inserts a new runs row (kind 'video', traffic =
 * label) and uses it. batch = rows per transaction. NULL + err on failure. */
struct tb_recv_store *tb_recv_store_open(const char *path, long long run_id, const char *label,
					 int batch, char *err, size_t errlen);
long long tb_recv_store_run_id(const struct tb_recv_store *s);

/* decoder_ok: 1/0, or -1 when not decoded (NULL). decodable: the final
 * verdict. psnr_db < 0: NULL. */
int tb_recv_store_frame(struct tb_recv_store *s, const struct tb_frame_rec *f, int decoder_ok,
			int decodable, double psnr_db);
int tb_recv_store_packet(struct tb_recv_store *s, const struct tb_pkt_rec *p);

/* Commit what is pending (e.g. periodically when idle). */
int tb_recv_store_sync(struct tb_recv_store *s);

/* The run's clock (schema v8): runs.clock, clock_sync and, when have, the
 * offset tb-send estimated, by which the run's frames_recv.latency_ns are
 * then corrected (latency = last arrival - capture_ns - offset). */
struct tb_recv_clock {
	const char *clock;        /* 'shared' | 'echo' */
	const char *sync;         /* 'shared' | 'synchronised' | 'unsynchronised' */
	int have;
	int64_t offset_ns, bound_ns;
	uint32_t echoes;
	/* this receiver's streams, frames_recv.stream first..last: only their
	 * latencies are corrected (another receiver of the run, another camera,
	 * corrects its own) */
	int64_t stream_first, stream_last;
};
int tb_recv_store_clock(struct tb_recv_store *s, const struct tb_recv_clock *c);

/* Commit, mark a run we created as done, close. Returns 0 or -1. */
int tb_recv_store_close(struct tb_recv_store *s, char *err, size_t errlen);

#endif
