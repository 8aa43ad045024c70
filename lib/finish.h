/* Internal to tb_run_finish: one function per kind of input, each inserting
 * that input's rows for run_id inside the caller's transaction. Each returns
 * 0, or -1 with err set. */
#ifndef TB_FINISH_H
#define TB_FINISH_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

/* counters(place, name, before, after) for every place.name present in both
 * snapshots with integer values. */
int tb_finish_counters(sqlite3 *db, long long run_id, const char *before, const char *after,
		       char *err, size_t errlen);
/* counters(place 'receiver') from the "packets key value ..." lines of
 * tb-recv's summaries at paths[0..n-1] (one per receiver of the run): each
 * counter the sum over them. Every summary must have such a line. */
int tb_finish_receivers(sqlite3 *db, long long run_id, const char *const *paths, int n, char *err,
			size_t errlen);
/* samples rows. */
int tb_finish_samples(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen);
/* tcp_intervals and tcp_results. */
int tb_finish_iperf(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen);
/* frame_images. */
int tb_finish_images(sqlite3 *db, long long run_id, const char *dir, char *err, size_t errlen);

/* Shared by the readers above (finish_common.c). */

/* The whole decimal integer s in *out, or -1. */
int tb_finish_parse_i64(const char *s, long long *out);

/* An input read line by line: open, next until NULL, close. */
struct tb_finish_lines {
	FILE *f;
	char *buf;
	size_t cap;
	int line; /* the number of the line last returned, from 1 */
};
/* 0, or -1 with err "PATH: reason" when path cannot be opened. */
int tb_finish_lines_open(struct tb_finish_lines *in, const char *path, char *err, size_t errlen);
/* The next line with its line end, in a buffer the next call reuses; NULL
 * after the last. */
char *tb_finish_lines_next(struct tb_finish_lines *in);
void tb_finish_lines_close(struct tb_finish_lines *in);

/* An INSERT prepared into *s: 0, or -1 with err "WHAT: SQLite's message"
 * (*s is then NULL). */
int tb_finish_prepare(sqlite3 *db, const char *sql, const char *what, sqlite3_stmt **s, char *err,
		      size_t errlen);
/* s ready for its next row: reset, with run_id bound to ?1. */
void tb_finish_row(sqlite3_stmt *s, long long run_id);

#endif
