/* Decoded pictures the receiver kept (tb-recv --dump-png DIR): files named
 * frame-sSTREAM-FRAME.png become frame_images rows; other files are not
 * pictures of frames and are left alone. */
#include "finish.h"
#include "tb/err.h"
#include "tb/file_read.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A run of decimal digits at *p (advanced past it) as a number; -1 if none
 * or too large. Leading zeros are allowed (tb-recv pads frame numbers). */
static long long digits(const char **p)
{
	size_t n = strspn(*p, "0123456789");
	if (n == 0 || n > 18)
		return -1;
	long long v = strtoll(*p, NULL, 10);
	*p += n;
	return v;
}

/* 1 and the numbers for a frame picture's name, 0 for another file, -1 for
 * a name that looks like one but does not parse. */
static int frame_name(const char *name, long long *stream, long long *frame)
{
	size_t len = strlen(name);
	if (strncmp(name, "frame-s", 7) != 0 || len < 11 || strcmp(name + len - 4, ".png") != 0)
		return 0;
	const char *p = name + 7;
	*stream = digits(&p);
	if (*stream < 0 || *p++ != '-')
		return -1;
	*frame = digits(&p);
	return *frame >= 0 && strcmp(p, ".png") == 0 ? 1 : -1;
}

static int store_one(sqlite3 *db, sqlite3_stmt *s, long long run_id, const char *dir, const char *name,
		     long long stream, long long frame, char *err, size_t errlen)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		tb_errbuf(err, errlen, "%s/%s: path too long", dir, name);
		return -1;
	}
	size_t len;
	char *png = tb_file_read(path, &len, err, errlen);
	if (!png)
		return -1;
	tb_finish_row(s, run_id);
	sqlite3_bind_int64(s, 2, stream);
	sqlite3_bind_int64(s, 3, frame);
	sqlite3_bind_blob64(s, 4, png, len, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	if (rc)
		tb_errbuf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
	free(png);
	return rc;
}

int tb_finish_images(sqlite3 *db, long long run_id, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		tb_errbuf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	sqlite3_stmt *s = NULL;
	int rc = tb_finish_prepare(db, "INSERT INTO frame_images(run_id, stream, frame_no, png) VALUES(?1, ?2, ?3, ?4)",
				   "frame_images", &s, err, errlen);
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		long long stream, frame;
		int kind = frame_name(e->d_name, &stream, &frame);
		if (kind < 0) {
			tb_errbuf(err, errlen, "%s/%s: not a frame-sSTREAM-FRAME.png name", dir, e->d_name);
			rc = -1;
		} else if (kind > 0) {
			rc = store_one(db, s, run_id, dir, e->d_name, stream, frame, err, errlen);
		}
	}
	closedir(d);
	sqlite3_finalize(s);
	return rc;
}
