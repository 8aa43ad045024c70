/* Point files: settings by name, comments and blank lines skipped, values
 * trimmed, empty values NULL, and errors that name the file and line. */
#include "tb/check.h"
#include "tb/point_file.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>

static int value_is(const struct tb_point *p, const char *key, const char *want)
{
	const struct tb_point_setting *s = tb_point_find(p, key);
	if (!s)
		return 0;
	if (!want)
		return s->value == NULL;
	return s->value && strcmp(s->value, want) == 0;
}

static void test_read(void)
{
	const char *path = scratch_write("p3.point",
					 "# sweep ci-quick, point 3\n"
					 "campaign = ci-quick\n"
					 "point_key = kernel=stock;ring=25;qdisc=pfifo limit 25000;rep=1\n"
					 "\n"
					 "   # an indented comment\n"
					 "kernel = stock\n"
					 "ring=25\n"
					 "qdisc =   pfifo limit 25000  \t\n"
					 "dump_frames =\n"
					 "decode\t= off\r\n"
					 "clip = a = b");
	struct tb_point p;
	char err[256] = "";
	CHECK(tb_point_read(path, &p, err, sizeof err) == 0);
	CHECK_EQ_I64(p.n, 8);
	CHECK(value_is(&p, "campaign", "ci-quick"));
	CHECK(value_is(&p, "point_key", "kernel=stock;ring=25;qdisc=pfifo limit 25000;rep=1"));
	CHECK(value_is(&p, "kernel", "stock"));
	CHECK(value_is(&p, "ring", "25"));
	CHECK(value_is(&p, "qdisc", "pfifo limit 25000"));
	CHECK(value_is(&p, "dump_frames", NULL));
	CHECK(value_is(&p, "decode", "off"));
	CHECK(value_is(&p, "clip", "a = b")); /* the last line has no newline */
	CHECK(tb_point_find(&p, "profile") == NULL);
	const struct tb_point_setting *s = tb_point_find(&p, "kernel");
	CHECK(s && s->line == 6);
	tb_point_free(&p);
	CHECK_EQ_I64(p.n, 0);
}

/* Each bad file gives an error that starts with FILE:LINE: and says why. */
static void test_errors(void)
{
	static const struct {
		const char *text, *where, *why;
	} cases[] = {
		{"ring = 25\nring 25\n", ":2: ", "expected 'key = value'"},
		{"# c\n\n= 25\n", ":3: ", "not a setting name"},
		{"ring = 1\nqdisc = pfifo\nring = 2\n", ":3: ", "'ring' is set twice (first on line 1)"},
		{"the ring = 25\n", ":1: ", "not a setting name"},
		{"ring; drop = 1\n", ":1: ", "not a setting name"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = scratch_write("bad.point", cases[i].text);
		char want[300];
		snprintf(want, sizeof want, "%s%s", path, cases[i].where);
		struct tb_point p;
		char err[512] = "";
		CHECK(tb_point_read(path, &p, err, sizeof err) == -1);
		CHECK(strncmp(err, want, strlen(want)) == 0);
		CHECK(strstr(err, cases[i].why) != NULL);
		if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, cases[i].why))
			fprintf(stderr, "  case %zu: [%s]\n", i, err);
		CHECK_EQ_I64(p.n, 0);
	}
	struct tb_point p;
	char err[512] = "";
	char missing[300];
	scratch_path(missing, sizeof missing, "none.point");
	CHECK(tb_point_read(missing, &p, err, sizeof err) == -1);
	CHECK(strstr(err, "none.point: cannot read") != NULL);
}

int main(void)
{
	scratch_dir_make("point");
	test_read();
	test_errors();
	scratch_dir_remove();
	return TB_CHECK_SUMMARY();
}
