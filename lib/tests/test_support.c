#include "test_support.h"

#include <stdlib.h>

static char dir[256];

void scratch_dir_make(const char *name)
{
	snprintf(dir, sizeof dir, "/tmp/tb-%s-test-XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

void scratch_dir_remove(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

char *scratch_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

const char *scratch_write(const char *name, const char *text)
{
	static char path[512];
	scratch_path(path, sizeof path, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

tb_store *scratch_store_open(const char *name)
{
	char path[512], err[256];
	tb_store *st;
	if (tb_store_open(scratch_path(path, sizeof path, name), &st, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return st;
}

void store_text(tb_store *st, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	snprintf(buf, len, "?");
	if (sqlite3_prepare_v2(tb_store_db(st), sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}
