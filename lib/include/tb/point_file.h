/* A point file: the settings of one run, as `tb-sweep expand` writes them.
 *
 *   # comment lines and blank lines are ignored
 *   key = value
 *
 * One setting per line; the key is a runs column name (letters, digits, _),
 * the value is everything after the first '=', trimmed; an empty value means
 * NULL. A key may appear once. Errors read "FILE:LINE: reason". */
#ifndef TB_POINT_FILE_H
#define TB_POINT_FILE_H

#include <stddef.h>

struct tb_point_setting {
	char *key;
	char *value;    /* NULL when the file gives an empty value */
	int line;
};

struct tb_point {
	char *path;
	int n;
	struct tb_point_setting *set;
};

/* Read path into *p. Returns 0, or -1 with err set ("FILE:LINE: reason", or
 * "FILE: reason" when the file cannot be read); *p is then empty. */
int tb_point_read(const char *path, struct tb_point *p, char *err, size_t errlen);

/* The setting of that key, or NULL when the file does not name it. */
const struct tb_point_setting *tb_point_find(const struct tb_point *p, const char *key);

void tb_point_free(struct tb_point *p);

#endif
