/* libFuzzer target: arbitrary bytes -> datagrams -> parser, reassembler,
 * depacketizer (see fuzz_input.h). Built by receiver/fuzz/run.sh with clang
 * -fsanitize=fuzzer,address,undefined; aborts when an accounting invariant
 * breaks, so the fuzzer reports it like a crash. */
#include "fuzz_input.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_fuzz_result r;
	tb_fuzz_run(data, size, &r);
	uint64_t usable_bad = r.c.malformed - r.c.malformed_by[TB_MAL_PAYLOAD];
	if (r.c.datagrams != r.c.received + r.c.duplicates + r.c.stale_ssrc + r.c.rtcp + r.c.filtered + usable_bad)
		abort();
	if (r.frames_in_flight_max > 8 || r.bytes_in_flight_max > 65536 || r.frames_after || r.bytes_after)
		abort();
	return 0;
}
