/* The JSON writer's exact output, escapes included. */
#include "json_out.h"
#include "tb/check.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct json_out j;
	json_begin(&j, f);
	json_obj_begin(&j, "start");
	json_str(&j, "qdisc_spec", "pfifo \"limit\"\\\n\x01");
	json_int(&j, "ring_packets", -25);
	json_obj_end(&j);
	json_bool(&j, "blocking", 1);
	json_null(&j, "latency_mean_ns");
	json_end(&j);
	fclose(f);
	const char *want = "{\n"
			   "  \"start\": {\n"
			   "    \"qdisc_spec\": \"pfifo \\\"limit\\\"\\\\\\n\\u0001\",\n"
			   "    \"ring_packets\": -25\n"
			   "  },\n"
			   "  \"blocking\": true,\n"
			   "  \"latency_mean_ns\": null\n"
			   "}\n";
	CHECK(strcmp(text, want) == 0);
	if (strcmp(text, want))
		fprintf(stderr, "got:\n%s", text);
	free(text);
	return TB_CHECK_SUMMARY();
}
