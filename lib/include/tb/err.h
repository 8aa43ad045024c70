/* Error reporting shared by every tool: messages go to stderr prefixed with
 * the program name, in one line, so scripts and users can grep them. */
#ifndef TB_ERR_H
#define TB_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Set once from main(); defaults to "testbed". */
void tb_set_progname(const char *argv0);
const char *tb_progname(void);

/* "prog: message" on stderr. tb_die exits with status 1, tb_usage_die with 2
 * (the convention for bad command-line input). tb_die_errno appends
 * ": strerror(errno)". */
void tb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tb_die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tb_usage_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write a formatted message into a caller's buffer (for library functions
 * that report errors without printing). Always NUL-terminates. */
void tb_errbuf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Strict number parsing for command-line options: the whole string must be a
 * number within [min, max]. Return 0 on success, -1 otherwise. */
int tb_parse_i64(const char *s, long long min, long long max, long long *out);
int tb_parse_double(const char *s, double min, double max, double *out);

#endif
