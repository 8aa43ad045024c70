/* The paired bootstrap against what can be worked out by hand: with two
 * pairs the resampled statistic takes exactly three values (both first,
 * one of each, both second; probabilities 1/4, 1/2, 1/4), so a 95 %
 * interval runs from the smallest to the largest; with every pair alike
 * it collapses onto the change; and one seed gives one interval. */
#include "paired_bootstrap.h"
#include "tb/check.h"

#include <math.h>

#define CHECK_NEAR(x, y) CHECK(fabs((x) - (y)) < 1e-9)

int main(void)
{
	struct paired_ci ci;
	/* pair 1: 10 -> 9 (-10 %), pair 2: 20 -> 22 (+10 %); both: 30 -> 31 */
	const double a2[] = {10, 20}, b2[] = {9, 22};
	CHECK(paired_bootstrap(a2, b2, 2, 20000, 0.95, 7, &ci) == 0);
	CHECK_NEAR(ci.change_pct, 100.0 * (31.0 / 30.0 - 1.0));
	CHECK_NEAR(ci.lo_pct, -10.0); /* (9+9)/(10+10) */
	CHECK_NEAR(ci.hi_pct, 10.0);  /* (22+22)/(20+20) */
	CHECK(ci.pairs == 2 && ci.resamples == 20000);

	/* every pair 5 % slower: no spread at all */
	const double a4[] = {100, 120, 80, 90}, b4[] = {95, 114, 76, 85.5};
	CHECK(paired_bootstrap(a4, b4, 4, 5000, 0.95, 1, &ci) == 0);
	CHECK_NEAR(ci.change_pct, -5.0);
	CHECK_NEAR(ci.lo_pct, -5.0);
	CHECK_NEAR(ci.hi_pct, -5.0);

	/* reproducible, and the data's own change inside its interval */
	const double a5[] = {20, 22, 19, 25, 21}, b5[] = {19, 23, 18, 24, 20};
	struct paired_ci again;
	CHECK(paired_bootstrap(a5, b5, 5, 3000, 0.95, 42, &ci) == 0);
	CHECK(paired_bootstrap(a5, b5, 5, 3000, 0.95, 42, &again) == 0);
	CHECK(ci.lo_pct == again.lo_pct && ci.hi_pct == again.hi_pct);
	CHECK(ci.lo_pct <= ci.change_pct && ci.change_pct <= ci.hi_pct);

	/* nothing to resample from */
	CHECK(paired_bootstrap(a5, b5, 0, 100, 0.95, 1, &ci) == -1);
	const double zero[] = {0, 0};
	CHECK(paired_bootstrap(zero, b2, 2, 100, 0.95, 1, &ci) == -1);
	return TB_CHECK_SUMMARY();
}
