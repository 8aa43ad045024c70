/* make_v5_db PATH: write the v5 fixture database (v5_fixture.h) for the
 * shell tests of tb-db. */
#include "v5_fixture.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	char err[512];
	if (argc != 2) {
		fprintf(stderr, "usage: make_v5_db PATH\n");
		return 2;
	}
	if (v5_fixture_write(argv[1], err, sizeof err)) {
		fprintf(stderr, "make_v5_db: %s\n", err);
		return 1;
	}
	return 0;
}
