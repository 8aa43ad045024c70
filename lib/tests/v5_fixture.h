/* A results database as a schema v5 build left it, with rows of each kind of
 * run, for the tests of the v6 migration and of importing old files. */
#ifndef TB_V5_FIXTURE_H
#define TB_V5_FIXTURE_H

#include <stddef.h>

/* Create path (which must not exist) at schema v5 with these runs:
 *  1 video (run-point): campaign c5, point k5, nodrop-v2, ring 25, qdisc kind
 *    pfifo, params 'pfifo limit 25000', knobs_json with qdisc 'pfifo limit
 *    25000', duration_s 10, pace 0.5; status done; counter ring.tx_dropped 1 -> 4
 *  2 selftest (tb-tunflood-store): stock, qdisc kind pfifo_fast, knobs_json
 *    qdisc_spec 'pfifo_fast'
 *  3 tcp with knobs_json that is not JSON, qdisc kind fq_codel
 * Returns 0, or -1 with err set. */
int v5_fixture_write(const char *path, char *err, size_t errlen);

#endif
