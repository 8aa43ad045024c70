#include "v5_fixture.h"

#include "tb/err.h"
#include "tb/store.h"

/* Column names as v5 had them; rows as run-point.sh (1, 3), the self-test
 * (2) and a standalone tb-send (4) wrote them. */
static const char rows[] =
	"INSERT INTO runs(id, campaign, point_key, kind, traffic, kernel_variant, ring, qdisc,"
	" qdisc_limit, qdisc_params, knobs_json, status, valid) VALUES"
	" (1, 'c5', 'k5', 'video', 'video', 'nodrop-v2', 25, 'pfifo', 25000, 'pfifo limit 25000',"
	"  '{\"ring\":25,\"qdisc\":\"pfifo limit 25000\",\"duration_s\":10,\"pace\":0.5}', 'done', 1),"
	" (2, 'self', 'stock/ring=10/qdisc=pfifo_fast', 'selftest', 'udp flood', 'stock', 10,"
	"  'pfifo_fast', 10, 'pfifo_fast', '{\"ring_packets\":10,\"qdisc_spec\":\"pfifo_fast\"}', 'done', 1),"
	" (3, 'c5', 'k6', 'tcp', 'tcp', 'stock', 50, 'fq_codel', NULL, NULL, 'not json', 'done', 1),"
	" (4, '', NULL, 'video', 'tb-send', NULL, NULL, NULL, NULL, NULL, '{\"pace\":0}', 'done', NULL);"
	"INSERT INTO counters(run_id, place, name, before, after) VALUES(1, 'ring', 'tx_dropped', 1, 4);";

int v5_fixture_write(const char *path, char *err, size_t errlen)
{
	tb_store *st;
	if (tb_store_open_at(path, 5, &st, err, errlen))
		return -1;
	int rc = tb_store_exec(st, rows);
	if (rc)
		tb_errbuf(err, errlen, "v5 fixture: %s", tb_store_errmsg(st));
	tb_store_close(st);
	return rc;
}
