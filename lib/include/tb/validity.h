/* Whether a run measured what it was meant to. A run whose guest was
 * CPU-bound is kept but marked invalid, and every summary leaves it out:
 *  - the mean load of all CPUs (samples 'cpu_busy_pct') reached cpu_limit, or
 *  - on a profile whose bottleneck should be the emulated link (knobs_json
 *    '$.profile_values.bottleneck', 'link' when absent), the VPN process used
 *    cpu_limit % of a core (samples 'vpn_cpu_pct'): then the VPN, not the
 *    link, set the pace.
 * cpu_limit is the run's column; NULL means TB_CPU_LIMIT_DEFAULT. */
#ifndef TB_VALIDITY_H
#define TB_VALIDITY_H

#include "tb/store.h"

#include <stddef.h>

#define TB_CPU_LIMIT_DEFAULT 90.0

/* The rule itself. has_cpu / has_vpn say whether there were such samples.
 * Returns 1 (valid) or 0 (invalid, with the reason in reason). */
int tb_validity_rule(int has_cpu, double cpu_mean, int has_vpn, double vpn_mean, double cpu_limit,
		     const char *bottleneck, char *reason, size_t reason_len);

/* Apply the rule to a stored run from its samples and settings: sets its
 * cpu_busy_pct (the mean, rounded to 0.1), valid and invalid_reason.
 * Returns 0, or -1 with err set. Runs inside the caller's transaction. */
int tb_validity_judge(tb_store *st, long long run_id, char *err, size_t errlen);

#endif
