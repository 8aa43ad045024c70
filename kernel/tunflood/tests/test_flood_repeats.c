/* The 95 % Wilson interval of the repeated floods, against values worked out
 * by hand from its closed forms (k = 0: upper z^2/(n+z^2); k = n: lower
 * n/(n+z^2)) and textbook values (1 of 20: 0.0089 to 0.2361). */
#include "flood_repeats.h"
#include "tb/check.h"

#include <math.h>

#define CHECK_NEAR(a, b) CHECK(fabs((a) - (b)) < 5e-5)

int main(void)
{
	double lo, hi;
	flood_wilson95(0, 10, &lo, &hi);
	CHECK_NEAR(lo, 0.0);
	CHECK_NEAR(hi, 0.27753);
	flood_wilson95(10, 10, &lo, &hi);
	CHECK_NEAR(lo, 0.72247);
	CHECK_NEAR(hi, 1.0);
	flood_wilson95(1, 20, &lo, &hi);
	CHECK_NEAR(lo, 0.00889);
	CHECK_NEAR(hi, 0.23613);
	flood_wilson95(5, 10, &lo, &hi);
	CHECK_NEAR(lo, 0.23659);
	CHECK_NEAR(hi, 0.76341);
	return TB_CHECK_SUMMARY();
}
