#include "tb/err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "testbed";

void tb_set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	if (argv0)
		progname = slash ? slash + 1 : argv0;
}

const char *tb_progname(void) { return progname; }

static void vreport(int errnum, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void tb_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
}

void tb_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
	exit(1);
}

void tb_die_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(e, fmt, ap);
	va_end(ap);
	exit(1);
}

void tb_usage_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", progname);
	exit(2);
}

void tb_errbuf(char *buf, size_t len, const char *fmt, ...)
{
	if (!buf || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int tb_parse_i64(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int tb_parse_double(const char *s, double min, double max, double *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
