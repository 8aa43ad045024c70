#include "json_out.h"

#include <stdlib.h>

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void member(struct json_out *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
	json_write_string(j->f, key);
	fputs(": ", j->f);
}

void json_begin(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 1;
	j->count[1] = 0;
	fputc('{', f);
}

void json_end(struct json_out *j)
{
	fputs("\n}\n", j->f);
	fflush(j->f);
}

void json_obj_begin(struct json_out *j, const char *key)
{
	member(j, key);
	fputc('{', j->f);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		abort(); /* the tool's object is fixed and shallow: a bug */
	j->depth++;
	j->count[j->depth] = 0;
}

void json_obj_end(struct json_out *j)
{
	j->depth--;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
	fputc('}', j->f);
}

void json_str(struct json_out *j, const char *key, const char *value)
{
	member(j, key);
	json_write_string(j->f, value);
}

void json_int(struct json_out *j, const char *key, long long value)
{
	member(j, key);
	fprintf(j->f, "%lld", value);
}

void json_bool(struct json_out *j, const char *key, int value)
{
	member(j, key);
	fputs(value ? "true" : "false", j->f);
}

void json_null(struct json_out *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}
