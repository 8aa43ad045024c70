#include "tb/point_file.h"
#include "tb/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char key_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
static const char blanks[] = " \t\r\n\v\f";

/* s with leading and trailing blanks cut (in place). */
static char *trim(char *s)
{
	s += strspn(s, blanks);
	size_t n = strlen(s);
	while (n && strchr(blanks, s[n - 1]))
		s[--n] = 0;
	return s;
}

const struct tb_point_setting *tb_point_find(const struct tb_point *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->set[i].key, key) == 0)
			return &p->set[i];
	return NULL;
}

void tb_point_free(struct tb_point *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->set[i].key);
		free(p->set[i].value);
	}
	free(p->set);
	free(p->path);
	memset(p, 0, sizeof *p);
}

/* Parse one line (already known not to be blank or a comment) into p. */
static int add_line(struct tb_point *p, char *text, int line, char *err, size_t errlen)
{
	char *eq = strchr(text, '=');
	if (!eq) {
		tb_errbuf(err, errlen, "%s:%d: expected 'key = value'", p->path, line);
		return -1;
	}
	*eq = 0;
	char *key = trim(text), *value = trim(eq + 1);
	if (!*key || strspn(key, key_chars) != strlen(key)) {
		tb_errbuf(err, errlen, "%s:%d: '%s' is not a setting name (letters, digits, _)",
			  p->path, line, key);
		return -1;
	}
	const struct tb_point_setting *dup = tb_point_find(p, key);
	if (dup) {
		tb_errbuf(err, errlen, "%s:%d: '%s' is set twice (first on line %d)", p->path, line, key,
			  dup->line);
		return -1;
	}
	struct tb_point_setting *grown = realloc(p->set, (size_t)(p->n + 1) * sizeof *grown);
	if (!grown) {
		tb_errbuf(err, errlen, "%s:%d: out of memory", p->path, line);
		return -1;
	}
	p->set = grown;
	struct tb_point_setting *s = &p->set[p->n];
	s->key = strdup(key);
	s->value = *value ? strdup(value) : NULL;
	s->line = line;
	if (!s->key || (*value && !s->value)) {
		free(s->key);
		free(s->value);
		tb_errbuf(err, errlen, "%s:%d: out of memory", p->path, line);
		return -1;
	}
	p->n++;
	return 0;
}

int tb_point_read(const char *path, struct tb_point *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	FILE *f = fopen(path, "r");
	if (!f) {
		tb_errbuf(err, errlen, "%s: cannot read the point file: %s", path, strerror(errno));
		return -1;
	}
	p->path = strdup(path);
	char *buf = NULL;
	size_t cap = 0;
	int line = 0, rc = p->path ? 0 : -1;
	if (rc)
		tb_errbuf(err, errlen, "%s: out of memory", path);
	while (rc == 0 && getline(&buf, &cap, f) >= 0) {
		line++;
		char *t = trim(buf);
		if (!*t || *t == '#')
			continue;
		rc = add_line(p, t, line, err, errlen);
	}
	if (rc == 0 && ferror(f)) {
		tb_errbuf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	free(buf);
	fclose(f);
	if (rc)
		tb_point_free(p);
	return rc;
}
