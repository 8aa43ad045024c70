/* Drop counters of a run: the before/after snapshots of every place, and the
 * receiver's own totals. */
#include "finish.h"
#include "tb/err.h"

#include <stdlib.h>
#include <string.h>

struct kv {
	char *key, *value;
};

struct snapshot {
	int n;
	struct kv *kv;
};

static void snapshot_free(struct snapshot *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->kv[i].key); /* value points into the same allocation */
	free(s->kv);
	s->n = 0;
	s->kv = NULL;
}

/* Read "place.name=value" lines; blank lines are skipped. */
static int snapshot_read(const char *path, struct snapshot *s, char *err, size_t errlen)
{
	s->n = 0;
	s->kv = NULL;
	struct tb_finish_lines in;
	if (tb_finish_lines_open(&in, path, err, errlen))
		return -1;
	char *buf;
	int rc = 0;
	while ((buf = tb_finish_lines_next(&in))) {
		buf[strcspn(buf, "\r\n")] = 0;
		if (!buf[strspn(buf, " \t")])
			continue;
		char *eq = strchr(buf, '='), *dot = strchr(buf, '.');
		if (!eq || !dot || dot > eq || dot == buf || dot + 1 == eq) {
			tb_errbuf(err, errlen, "%s:%d: expected place.name=value", path, in.line);
			rc = -1;
			break;
		}
		struct kv *grown = realloc(s->kv, (size_t)(s->n + 1) * sizeof *grown);
		if (grown)
			s->kv = grown;
		char *copy = grown ? strdup(buf) : NULL;
		if (!copy) {
			tb_errbuf(err, errlen, "%s:%d: out of memory", path, in.line);
			rc = -1;
			break;
		}
		copy[eq - buf] = 0;
		s->kv[s->n++] = (struct kv){copy, copy + (eq - buf) + 1};
	}
	tb_finish_lines_close(&in);
	if (rc)
		snapshot_free(s);
	return rc;
}

/* The last value of key in s (a later line wins, as it did in the shell). */
static const char *snapshot_get(const struct snapshot *s, const char *key)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].value;
	return NULL;
}

static const char sql_counter[] =
	"INSERT OR REPLACE INTO counters(run_id, place, name, before, after) VALUES(?1, ?2, ?3, ?4, ?5)";

/* One counters row (place_len -1: place is NUL-terminated). */
static int put_counter(sqlite3_stmt *s, long long run_id, const char *place, int place_len,
		       const char *name, long long before, long long after)
{
	tb_finish_row(s, run_id);
	sqlite3_bind_text(s, 2, place, place_len, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, before);
	sqlite3_bind_int64(s, 5, after);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int tb_finish_counters(sqlite3 *db, long long run_id, const char *before_path, const char *after_path,
		       char *err, size_t errlen)
{
	struct snapshot before, after = {0, NULL};
	if (snapshot_read(before_path, &before, err, errlen))
		return -1;
	int rc = snapshot_read(after_path, &after, err, errlen);
	sqlite3_stmt *s = NULL;
	if (rc == 0)
		rc = tb_finish_prepare(db, sql_counter, "counters", &s, err, errlen);
	for (int i = 0; rc == 0 && i < after.n; i++) {
		const struct kv *a = &after.kv[i];
		const char *b = snapshot_get(&before, a->key);
		long long vb, va;
		/* Only counters: a value that is not an integer (a name, a state) is not one. */
		if (!b || tb_finish_parse_i64(b, &vb) || tb_finish_parse_i64(a->value, &va))
			continue;
		const char *dot = strchr(a->key, '.');
		if (put_counter(s, run_id, a->key, (int)(dot - a->key), dot + 1, vb, va)) {
			tb_errbuf(err, errlen, "counters %s: %s", a->key, sqlite3_errmsg(db));
			rc = -1;
		}
	}
	sqlite3_finalize(s);
	snapshot_free(&before);
	snapshot_free(&after);
	return rc;
}

/* tb-recv's totals that account for packets (see receiver/recv_summary.c). */
static const char *const receiver_keys[] = {
	"expected", "received", "lost", "duplicate", "reordered", "late", "malformed",
};
enum { RECEIVER_KEYS = sizeof receiver_keys / sizeof receiver_keys[0] };

/* The sums over the summaries read so far; seen: the key was in one. */
struct receiver_sums {
	long long sum[RECEIVER_KEYS];
	int seen[RECEIVER_KEYS];
};

static int receiver_key(const char *k)
{
	for (int i = 0; i < RECEIVER_KEYS; i++)
		if (strcmp(k, receiver_keys[i]) == 0)
			return i;
	return -1;
}

/* The "packets key value key value ..." line into sums. */
static int receiver_line(struct receiver_sums *sums, char *text, const char *path, int line, char *err,
			 size_t errlen)
{
	char *save = NULL;
	strtok_r(text, " \t\r\n", &save); /* "packets" */
	for (char *k = strtok_r(NULL, " \t\r\n", &save); k; k = strtok_r(NULL, " \t\r\n", &save)) {
		char *v = strtok_r(NULL, " \t\r\n", &save);
		if (!v) {
			tb_errbuf(err, errlen, "%s:%d: '%s' has no value", path, line, k);
			return -1;
		}
		int i = receiver_key(k);
		if (i < 0)
			continue;
		long long n;
		if (tb_finish_parse_i64(v, &n)) {
			tb_errbuf(err, errlen, "%s:%d: %s '%s' is not a whole number", path, line, k, v);
			return -1;
		}
		sums->sum[i] += n;
		sums->seen[i] = 1;
	}
	return 0;
}

/* One summary's packets line(s) into sums. */
static int receiver_file(struct receiver_sums *sums, const char *path, char *err, size_t errlen)
{
	struct tb_finish_lines in;
	if (tb_finish_lines_open(&in, path, err, errlen))
		return -1;
	char *buf;
	int found = 0, rc = 0;
	while (rc == 0 && (buf = tb_finish_lines_next(&in))) {
		if (strncmp(buf, "packets", 7) != 0 || (buf[7] != ' ' && buf[7] != '\t'))
			continue;
		found = 1;
		rc = receiver_line(sums, buf, path, in.line, err, errlen);
	}
	tb_finish_lines_close(&in);
	if (rc == 0 && !found) {
		tb_errbuf(err, errlen, "%s: no 'packets' line (is it tb-recv's summary?)", path);
		rc = -1;
	}
	return rc;
}

int tb_finish_receivers(sqlite3 *db, long long run_id, const char *const *paths, int n, char *err,
			size_t errlen)
{
	struct receiver_sums sums = {{0}, {0}};
	for (int f = 0; f < n; f++)
		if (receiver_file(&sums, paths[f], err, errlen))
			return -1;
	sqlite3_stmt *s;
	if (tb_finish_prepare(db, sql_counter, "receiver counters", &s, err, errlen))
		return -1;
	int rc = 0;
	for (int i = 0; rc == 0 && i < RECEIVER_KEYS; i++)
		if (sums.seen[i] && put_counter(s, run_id, "receiver", -1, receiver_keys[i], 0, sums.sum[i])) {
			tb_errbuf(err, errlen, "receiver counters: %s", sqlite3_errmsg(db));
			rc = -1;
		}
	sqlite3_finalize(s);
	return rc;
}
