/* What the readers of a finished run's inputs share: numbers, lines, and the
 * prepared INSERT each of them steps once a row. */
#include "finish.h"
#include "tb/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tb_finish_parse_i64(const char *s, long long *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	if (!*d || strspn(d, "0123456789") != strlen(d))
		return -1;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

int tb_finish_lines_open(struct tb_finish_lines *in, const char *path, char *err, size_t errlen)
{
	*in = (struct tb_finish_lines){fopen(path, "r"), NULL, 0, 0};
	if (!in->f) {
		tb_errbuf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

char *tb_finish_lines_next(struct tb_finish_lines *in)
{
	if (getline(&in->buf, &in->cap, in->f) < 0)
		return NULL;
	in->line++;
	return in->buf;
}

void tb_finish_lines_close(struct tb_finish_lines *in)
{
	free(in->buf);
	fclose(in->f);
	in->buf = NULL;
	in->f = NULL;
}

int tb_finish_prepare(sqlite3 *db, const char *sql, const char *what, sqlite3_stmt **s, char *err,
		      size_t errlen)
{
	if (sqlite3_prepare_v2(db, sql, -1, s, NULL) == SQLITE_OK)
		return 0;
	tb_errbuf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

void tb_finish_row(sqlite3_stmt *s, long long run_id)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, run_id);
}
