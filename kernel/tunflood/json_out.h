/* A small streaming JSON writer for the tool's one result object:
 * nested objects, string/integer/bool/null members, two-space indent. */
#ifndef TB_JSON_OUT_H
#define TB_JSON_OUT_H

#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json_out {
	FILE *f;
	int depth;
	int count[JSON_MAX_DEPTH]; /* members written at each open level */
};

void json_begin(struct json_out *j, FILE *f);           /* "{" */
void json_end(struct json_out *j);                      /* final "}\n" */
void json_obj_begin(struct json_out *j, const char *key);
void json_obj_end(struct json_out *j);
void json_str(struct json_out *j, const char *key, const char *value);
void json_int(struct json_out *j, const char *key, long long value);
void json_bool(struct json_out *j, const char *key, int value);
void json_null(struct json_out *j, const char *key);

/* Write s as a JSON string literal (quotes, escapes) to f. */
void json_write_string(FILE *f, const char *s);

#endif
