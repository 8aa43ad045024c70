/* A minimal test harness for the project's C unit tests: CHECK records a
 * failure with file:line and goes on; TB_CHECK_SUMMARY prints
 * "N passed, M failed" and gives main's exit status. */
#ifndef TB_CHECK_H
#define TB_CHECK_H

#include <stdio.h>

static int tb_checks_passed, tb_checks_failed;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (cond) {                                                             \
			tb_checks_passed++;                                             \
		} else {                                                                \
			tb_checks_failed++;                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
	} while (0)

#define CHECK_EQ_I64(a, b)                                                              \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ == b_) {                                                         \
			tb_checks_passed++;                                             \
		} else {                                                                \
			tb_checks_failed++;                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, a_, b_);                    \
		}                                                                       \
	} while (0)

#define TB_CHECK_SUMMARY()                                                              \
	(printf("%d passed, %d failed\n", tb_checks_passed, tb_checks_failed),          \
	 tb_checks_failed ? 1 : 0)

#endif
