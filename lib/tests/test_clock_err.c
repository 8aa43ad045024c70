/* Clock conversions and strict option parsing. */
#include "tb/check.h"
#include "tb/clock.h"
#include "tb/err.h"

int main(void)
{
	struct timespec ts = tb_ns_to_timespec(1500000001LL);
	CHECK_EQ_I64(ts.tv_sec, 1);
	CHECK_EQ_I64(ts.tv_nsec, 500000001);
	ts = tb_ns_to_timespec(-1);
	CHECK_EQ_I64(ts.tv_sec, -1);
	CHECK_EQ_I64(ts.tv_nsec, 999999999);
	CHECK_EQ_I64(tb_timespec_to_ns(&ts), -1);

	int64_t a = tb_mono_ns();
	CHECK(tb_sleep_until_mono_ns(a + 2 * TB_NS_PER_MSEC) == 0);
	CHECK(tb_mono_ns() - a >= 2 * TB_NS_PER_MSEC);
	CHECK(tb_sleep_until_mono_ns(a) == -1);

	long long v;
	CHECK(tb_parse_i64("500", 1, 1000, &v) == 0 && v == 500);
	CHECK(tb_parse_i64("0x10", 0, 100, &v) == 0 && v == 16);
	CHECK(tb_parse_i64("", 0, 10, &v) == -1);
	CHECK(tb_parse_i64("12abc", 0, 100, &v) == -1);
	CHECK(tb_parse_i64("1001", 1, 1000, &v) == -1);
	CHECK(tb_parse_i64("-1", 0, 10, &v) == -1);
	CHECK(tb_parse_i64("99999999999999999999999", 0, 10, &v) == -1);
	double d;
	CHECK(tb_parse_double("2.5", 0, 10, &d) == 0 && d == 2.5);
	CHECK(tb_parse_double("nan", 0, 10, &d) == -1);
	CHECK(tb_parse_double("1e400", 0, 1e300, &d) == -1);
	return TB_CHECK_SUMMARY();
}
