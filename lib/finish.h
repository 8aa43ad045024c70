/* Internal to tb_run_finish: one function per kind of input, each inserting
 * that input's rows for run_id inside the caller's transaction. Each returns
 * 0, or -1 with err set. */
#ifndef TB_FINISH_H
#define TB_FINISH_H

#include <sqlite3.h>
#include <stddef.h>

/* counters(place, name, before, after) for every place.name present in both
 * snapshots with integer values. */
int tb_finish_counters(sqlite3 *db, long long run_id, const char *before, const char *after,
		       char *err, size_t errlen);
/* counters(place 'receiver') from tb-recv's "packets key value ..." line. */
int tb_finish_receiver(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen);
/* samples rows. */
int tb_finish_samples(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen);
/* tcp_intervals and tcp_results. */
int tb_finish_iperf(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen);
/* frame_images. */
int tb_finish_images(sqlite3 *db, long long run_id, const char *dir, char *err, size_t errlen);

/* Shared by the line readers: the whole decimal integer s, or -1. */
int tb_finish_parse_i64(const char *s, long long *out);

#endif
