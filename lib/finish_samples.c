/* The time series of a run (experiments/sampler-loop.sh): lines
 * "T_NS NAME VALUE [UNIT]", one samples row each. */
#include "finish.h"
#include "tb/err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_real(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v) || strspn(s, "0123456789.-+eE") != strlen(s))
		return -1;
	*out = v;
	return 0;
}

/* Split a line into at most 5 whitespace-separated fields; returns how many
 * (5 means "too many"). */
static int fields(char *line, char *f[5])
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 5; t = strtok_r(NULL, " \t\r\n", &save))
		f[n++] = t;
	return n;
}

int tb_finish_samples(sqlite3 *db, long long run_id, const char *path, char *err, size_t errlen)
{
	struct tb_finish_lines in;
	if (tb_finish_lines_open(&in, path, err, errlen))
		return -1;
	sqlite3_stmt *s = NULL;
	int rc = tb_finish_prepare(db, "INSERT INTO samples(run_id, t_ns, name, value, unit) VALUES(?1, ?2, ?3, ?4, ?5)",
				   "samples", &s, err, errlen);
	char *buf;
	while (rc == 0 && (buf = tb_finish_lines_next(&in))) {
		char *fld[5];
		int n = fields(buf, fld);
		if (n == 0)
			continue;
		long long t_ns;
		double value;
		if (n < 3 || n > 4) {
			tb_errbuf(err, errlen, "%s:%d: expected 'T_NS NAME VALUE [UNIT]'", path, in.line);
			rc = -1;
		} else if (tb_finish_parse_i64(fld[0], &t_ns)) {
			tb_errbuf(err, errlen, "%s:%d: time '%s' is not whole nanoseconds", path, in.line, fld[0]);
			rc = -1;
		} else if (parse_real(fld[2], &value)) {
			tb_errbuf(err, errlen, "%s:%d: value '%s' is not a number", path, in.line, fld[2]);
			rc = -1;
		} else {
			tb_finish_row(s, run_id);
			sqlite3_bind_int64(s, 2, t_ns);
			sqlite3_bind_text(s, 3, fld[1], -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(s, 4, value);
			if (n == 4)
				sqlite3_bind_text(s, 5, fld[3], -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(s, 5);
			if (sqlite3_step(s) != SQLITE_DONE) {
				tb_errbuf(err, errlen, "%s:%d: %s", path, in.line, sqlite3_errmsg(db));
				rc = -1;
			}
		}
	}
	tb_finish_lines_close(&in);
	sqlite3_finalize(s);
	return rc;
}
