/* What lib's unit tests share: a scratch directory for their files and
 * stores, removed at the end; one text value read back from a store; a
 * check that two strings are equal. */
#ifndef TB_TEST_SUPPORT_H
#define TB_TEST_SUPPORT_H

#include "tb/store.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Create the scratch directory /tmp/tb-NAME-test-XXXXXX; exits 1 when it
 * cannot. */
void scratch_dir_make(const char *name);

/* Remove the scratch directory and all in it. */
void scratch_dir_remove(void);

/* The path of name in the scratch directory, in buf; returns buf. */
char *scratch_path(char *buf, size_t len, const char *name);

/* Write text to the file name in the scratch directory; returns its path (in
 * a buffer the next call overwrites). */
const char *scratch_write(const char *name, const char *text);

/* Open (create) the store name in the scratch directory; exits 1 when it
 * cannot. */
tb_store *scratch_store_open(const char *name);

/* The first column of sql's first row as text in buf; "?" when there is none. */
void store_text(tb_store *st, const char *sql, char *buf, size_t len);

/* CHECK (tb/check.h) that two strings are equal; shows both when they are not. */
#define CHECK_EQ_STR(got, want)                                                         \
	do {                                                                            \
		const char *got_s_ = (got), *want_s_ = (want);                          \
		if (strcmp(got_s_, want_s_) != 0)                                       \
			fprintf(stderr, "  [%s], want [%s]\n", got_s_, want_s_);        \
		CHECK(strcmp(got_s_, want_s_) == 0);                                    \
	} while (0)

#endif
