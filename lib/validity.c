/* The validity rule (see tb/validity.h); it lives beside the schema so the
 * rule and the columns it fills change together. */
#include "tb/validity.h"
#include "tb/err.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *label;
} series[TB_SERIES_COUNT] = {
	[TB_CPU_BUSY] = {"cpu_busy_pct", "cpu_busy_pct"},
	[TB_CPU_MAX] = {"cpu_max_busy_pct", "cpu_max_busy_pct"},
	[TB_SOFTIRQ_MAX] = {"softirq_max_pct", "softirq_max_pct"},
	[TB_TB_SEND] = {"proc_cpu_pct.tb-send", "tb-send"},
	[TB_TB_RECV] = {"proc_cpu_pct.tb-recv", "tb-recv"},
	[TB_IPERF_CLIENT] = {"proc_cpu_pct.iperf3-client", "iperf3-client"},
	[TB_IPERF_SERVER] = {"proc_cpu_pct.iperf3-server", "iperf3-server"},
	[TB_VPN_ROBOT] = {"proc_cpu_pct.openvpn-robot", "openvpn-robot"},
	[TB_VPN_OPERATOR] = {"proc_cpu_pct.openvpn-operator", "openvpn-operator"},
};

const char *tb_series_name(enum tb_series s)
{
	return (unsigned)s < TB_SERIES_COUNT ? series[s].name : NULL;
}

const char *tb_series_label(enum tb_series s)
{
	return (unsigned)s < TB_SERIES_COUNT ? series[s].label : NULL;
}

/* How the run names a series: the VPN's two processes are named after the
 * VPN the run used ("wireguard-go-robot"); the table holds OpenVPN's. */
static const char *label_of(const struct tb_validity_input *in, int s, char *buf, size_t len)
{
	const char *vpn = in->vpn && in->vpn[0] ? in->vpn : "openvpn";
	if (s == TB_VPN_ROBOT || s == TB_VPN_OPERATOR) {
		sqlite3_snprintf((int)len, buf, "%s-%s", vpn, s == TB_VPN_ROBOT ? "robot" : "operator");
		return buf;
	}
	return series[s].label;
}

/* tb-send and tb-recv run once per camera. */
static int per_camera(int s) { return s == TB_TB_SEND || s == TB_TB_RECV; }

/* Camera K's name of a per-camera series: the label, ".K" after it when K > 0. */
static const char *camera_label(int s, int camera, char *buf, size_t len)
{
	if (camera <= 0)
		return series[s].label;
	sqlite3_snprintf((int)len, buf, "%s.%d", series[s].label, camera);
	return buf;
}

/* How a verdict names the series: a per-camera one by its busiest camera. */
static const char *name_of(const struct tb_validity_input *in, int s, char *buf, size_t len)
{
	if (per_camera(s))
		return camera_label(s, in->busiest[s], buf, len);
	return label_of(in, s, buf, len);
}

static const enum tb_series measuring_tools[] = {TB_TB_SEND, TB_TB_RECV, TB_IPERF_CLIENT, TB_IPERF_SERVER};

/* sqlite3's printf: "%g" and "%.1f" read the same whatever the C locale. */
#define say(v, ...) sqlite3_snprintf((int)sizeof(v), (v), __VA_ARGS__)

static int at_limit(const struct tb_validity_input *in, enum tb_series s)
{
	return in->has[s] && in->mean[s] >= in->cpu_limit;
}

static void list_saturated(const struct tb_validity_input *in, char *buf, size_t len)
{
	size_t used = 0;
	char name[64];
	buf[0] = 0;
	for (int s = 0; s < TB_SERIES_COUNT; s++) {
		if (!at_limit(in, s) || used + 1 >= len)
			continue;
		sqlite3_snprintf((int)(len - used), buf + used, "%s%s %.1f%%", used ? ", " : "",
				 name_of(in, s, name, sizeof name), in->mean[s]);
		used += strlen(buf + used);
	}
}

/* The two VPN ends together account for the busiest vCPU's load. */
static int vpn_fills(const struct tb_validity_input *in)
{
	return in->has[TB_VPN_ROBOT] && in->has[TB_VPN_OPERATOR] &&
	       in->mean[TB_VPN_ROBOT] + in->mean[TB_VPN_OPERATOR] >= in->mean[TB_CPU_MAX];
}

/* The first cause of an invalid run, in the order of the header; 0 if none. */
static int invalid_because(const struct tb_validity_input *in, int vpn_bound, struct tb_verdict *out)
{
	double L = in->cpu_limit;
	char name[64];
	for (size_t i = 0; i < sizeof measuring_tools / sizeof measuring_tools[0]; i++) {
		enum tb_series s = measuring_tools[i];
		if (at_limit(in, s)) {
			say(out->reason, "measuring tool %s CPU-bound: %.1f%% of a core >= %g%%",
			    name_of(in, s, name, sizeof name), in->mean[s], L);
			return 1;
		}
	}
	if (at_limit(in, TB_VPN_OPERATOR)) {
		say(out->reason, "receiving VPN %s CPU-bound: %.1f%% of a core >= %g%%",
		    label_of(in, TB_VPN_OPERATOR, name, sizeof name), in->mean[TB_VPN_OPERATOR], L);
		return 1;
	}
	if (!vpn_bound && at_limit(in, TB_VPN_ROBOT)) {
		say(out->reason, "sending VPN %s CPU-bound: %.1f%% of a core >= %g%% on a profile"
				 " whose bottleneck is '%s', not the VPN",
		    label_of(in, TB_VPN_ROBOT, name, sizeof name), in->mean[TB_VPN_ROBOT], L,
		    in->bottleneck ? in->bottleneck : "link");
		return 1;
	}
	if (at_limit(in, TB_SOFTIRQ_MAX)) {
		say(out->reason, "softirq (the WAN emulation) saturated a vCPU: %.1f%% >= %g%%",
		    in->mean[TB_SOFTIRQ_MAX], L);
		return 1;
	}
	/* A VPN-bound profile's sending VPN fills its vCPU by design. Both VPN
	 * ends share the guest's vCPUs (the paper had a machine per end), so a
	 * saturated vCPU is also the VPN's when the two ends together use at
	 * least that vCPU's load: the VPN pipeline, not a bystander, is full. */
	if (at_limit(in, TB_CPU_MAX) && !(vpn_bound && (at_limit(in, TB_VPN_ROBOT) || vpn_fills(in)))) {
		say(out->reason, "a vCPU saturated (%.1f%%) by something that is not the expected bottleneck",
		    in->mean[TB_CPU_MAX]);
		return 1;
	}
	return 0;
}

/* The first process the run's traffic needs that has no samples, or -1; for
 * tb-send and tb-recv of several cameras, *camera says which one. */
static int missing_role(const struct tb_validity_input *in, int *camera)
{
	const char *t = in->traffic ? in->traffic : "";
	int video = !strcmp(t, "video") || !strcmp(t, "mixed");
	int tcp = !strcmp(t, "tcp") || !strcmp(t, "mixed");
	const struct {
		int needed;
		enum tb_series s;
	} roles[] = {
		{video, TB_TB_SEND},    {video, TB_TB_RECV},  {tcp, TB_IPERF_CLIENT},
		{tcp, TB_IPERF_SERVER}, {1, TB_VPN_ROBOT}, {1, TB_VPN_OPERATOR},
	};
	*camera = 0;
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		enum tb_series s = roles[i].s;
		if (!roles[i].needed)
			continue;
		if (!in->has[s])
			return (int)s;
		for (int k = 0; per_camera(s) && in->cameras > 1 && k < in->cameras && k <= TB_VALIDITY_MAX_CAMERA; k++)
			if (!(in->seen[s] >> k & 1)) {
				*camera = k;
				return (int)s;
			}
	}
	return -1;
}

/* The fault taint letters of MASK, "D W" (kernel/panic.c's letters). */
static void taint_letters(unsigned long long mask, char *buf, size_t len)
{
	static const struct {
		int bit;
		char letter;
	} faults[] = {{4, 'M'}, {5, 'B'}, {7, 'D'}, {9, 'W'}, {14, 'L'}};
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof faults / sizeof faults[0] && used + 3 <= len; i++)
		if (mask >> faults[i].bit & 1) {
			if (used)
				buf[used++] = ' ';
			buf[used++] = faults[i].letter;
			buf[used] = 0;
		}
}

/* A kernel that faulted (during the run, or before it in the same boot). */
static int kernel_faulted(const struct tb_validity_input *in, struct tb_verdict *out)
{
	if (!in->has_taint || !(in->taint_after & TB_TAINT_FAULTS))
		return 0;
	char during[16], before[16];
	taint_letters(in->taint_after & ~in->taint_before & TB_TAINT_FAULTS, during, sizeof during);
	taint_letters(in->taint_before & TB_TAINT_FAULTS, before, sizeof before);
	if (during[0] && before[0])
		say(out->reason, "the kernel faulted during the run (taint %s) and before it in this boot (taint %s):"
				 " an oops or a warning, see the kernel log", during, before);
	else if (during[0])
		say(out->reason, "the kernel faulted during the run (taint %s): an oops or a warning, see the kernel log",
		    during);
	else
		say(out->reason, "the kernel had faulted before the run in this boot (taint %s): an oops or a warning,"
				 " see the kernel log", before);
	return 1;
}

void tb_validity_rule(const struct tb_validity_input *in, struct tb_verdict *out)
{
	out->reason[0] = 0;
	list_saturated(in, out->saturated, sizeof out->saturated);
	if (kernel_faulted(in, out)) {
		out->valid = TB_INVALID;
		return;
	}
	if (in->has_window && in->planned_s > 0 &&
	    (in->window_s > TB_WINDOW_LONG_FACTOR * in->planned_s + TB_WINDOW_LONG_SLACK_S ||
	     in->window_s < in->planned_s / 2)) {
		out->valid = TB_INVALID;
		say(out->reason, "the guest's clock jumped during the run (a traffic window of %.1f s for %.0f s of"
				 " traffic): its rates and times are wrong (was the host paused or moved?)",
		    in->window_s, in->planned_s);
		return;
	}
	if (in->has_host_other && in->host_other_pct > TB_HOST_OTHER_LIMIT_PCT) {
		out->valid = TB_INVALID;
		say(out->reason, "the host was busy with other work during the run (%.1f %% of its CPU outside the"
				 " guest, limit %.0f %%): keep the machine idle while it measures",
		    in->host_other_pct, TB_HOST_OTHER_LIMIT_PCT);
		return;
	}
	if (in->has_host_steal && in->host_steal_pct > TB_HOST_STEAL_LIMIT_PCT) {
		out->valid = TB_INVALID;
		say(out->reason, "the host's hypervisor took its CPU during the run (%.1f %% stolen, limit %.0f %%):"
				 " the machine under this host was busy",
		    in->host_steal_pct, TB_HOST_STEAL_LIMIT_PCT);
		return;
	}
	if (!in->has[TB_CPU_BUSY] || !in->has[TB_CPU_MAX]) {
		out->valid = TB_VALID_UNKNOWN;
		say(out->reason, "unknown: no CPU samples in the traffic window");
		return;
	}
	int vpn_bound = in->bottleneck && !strcmp(in->bottleneck, "vpn");
	if (invalid_because(in, vpn_bound, out)) {
		out->valid = TB_INVALID;
		return;
	}
	int camera, missing = missing_role(in, &camera);
	if (missing >= 0) {
		out->valid = TB_VALID_UNKNOWN;
		char name[64];
		say(out->reason, "unknown: no CPU samples of %s",
		    per_camera(missing) ? camera_label(missing, camera, name, sizeof name)
					: label_of(in, missing, name, sizeof name));
		return;
	}
	out->valid = TB_VALID;
}

/* The run's settings and window: limit, bottleneck, traffic, start, end,
 * VPN, cameras, the kernel's taint before and after, the host's other work
 * and stolen time, the traffic planned. */
static const char sql_run[] =
	"SELECT coalesce(cpu_limit, ?2),"
	" coalesce(CASE WHEN json_valid(knobs_json)"
	"   THEN json_extract(knobs_json, '$.profile_values.bottleneck') END, 'link'),"
	" coalesce(traffic, kind), traffic_start_ns, traffic_end_ns, coalesce(vpn, 'openvpn'),"
	" coalesce(cameras, 1), kernel_taint_before, kernel_taint_after, host_other_busy_pct,"
	" host_steal_pct, duration + coalesce(tcp_omit, 0) FROM runs WHERE id = ?1";

/* Per series, the mean of the samples in the window. */
static const char sql_means[] =
	"SELECT name, avg(value) FROM samples WHERE run_id = ?1 AND t_ns > ?2 + ?4 AND t_ns <= ?3 + ?4"
	" GROUP BY name";

static const char sql_verdict[] =
	"UPDATE runs SET cpu_busy_pct = round(?2, 1), cpu_max_busy_pct = round(?3, 1), valid = ?4,"
	" invalid_reason = ?5, saturated = ?6 WHERE id = ?1";

/* The camera a per-camera series' samples name is of: 0 for name itself,
 * K for name ".K" (K a number without leading zeros, 1..TB_VALIDITY_MAX_CAMERA);
 * -1 when it is not of the series. */
static int camera_of(const char *sample, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(sample, name, n))
		return -1;
	const char *k = sample + n;
	if (!*k)
		return 0;
	if (k[0] != '.' || k[1] < '1' || k[1] > '9' || strspn(k + 1, "0123456789") != strlen(k + 1) ||
	    strlen(k + 1) > 2)
		return -1;
	int camera = atoi(k + 1);
	return camera <= TB_VALIDITY_MAX_CAMERA ? camera : -1;
}

/* SQLITE_DONE once every row is read. */
static int window_means(sqlite3_stmt *s, struct tb_validity_input *in)
{
	int step;
	char names[TB_SERIES_COUNT][80], label[64];
	for (int i = 0; i < TB_SERIES_COUNT; i++)
		sqlite3_snprintf((int)sizeof names[i], names[i], "%s%s", i >= TB_TB_SEND ? "proc_cpu_pct." : "",
				 label_of(in, i, label, sizeof label));
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		double mean = sqlite3_column_double(s, 1);
		for (int i = 0; name && i < TB_SERIES_COUNT; i++) {
			int camera = per_camera(i) ? camera_of(name, names[i]) : strcmp(name, names[i]) ? -1 : 0;
			if (camera < 0)
				continue;
			in->seen[i] |= 1ULL << camera;
			/* one camera's process at the limit makes the tool CPU-bound */
			if (!in->has[i] || mean > in->mean[i]) {
				in->mean[i] = mean;
				in->busiest[i] = camera;
			}
			in->has[i] = 1;
		}
	}
	return step;
}

static void bind_mean(sqlite3_stmt *s, int col, const struct tb_validity_input *in, enum tb_series v)
{
	if (in->has[v])
		sqlite3_bind_double(s, col, in->mean[v]);
	else
		sqlite3_bind_null(s, col);
}

int tb_validity_judge(tb_store *st, long long run_id, char *err, size_t errlen)
{
	sqlite3 *db = tb_store_db(st);
	sqlite3_stmt *run = NULL, *means = NULL, *up = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql_run, -1, &run, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_means, -1, &means, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_verdict, -1, &up, NULL) != SQLITE_OK) {
		tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(run, 1, run_id);
	sqlite3_bind_double(run, 2, TB_CPU_LIMIT_DEFAULT);
	int step = sqlite3_step(run);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			tb_errbuf(err, errlen, "validity: no run with id %lld", run_id);
		else
			tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	struct tb_validity_input in = {
		.cpu_limit = sqlite3_column_double(run, 0),
		.bottleneck = (const char *)sqlite3_column_text(run, 1),
		.traffic = (const char *)sqlite3_column_text(run, 2),
		.vpn = (const char *)sqlite3_column_text(run, 5),
		.cameras = sqlite3_column_int(run, 6),
		.has_taint = sqlite3_column_type(run, 7) != SQLITE_NULL && sqlite3_column_type(run, 8) != SQLITE_NULL,
		.taint_before = (unsigned long long)sqlite3_column_int64(run, 7),
		.taint_after = (unsigned long long)sqlite3_column_int64(run, 8),
		.has_host_other = sqlite3_column_type(run, 9) != SQLITE_NULL,
		.host_other_pct = sqlite3_column_double(run, 9),
		.has_host_steal = sqlite3_column_type(run, 10) != SQLITE_NULL,
		.host_steal_pct = sqlite3_column_double(run, 10),
	};
	int windowed = sqlite3_column_type(run, 3) != SQLITE_NULL && sqlite3_column_type(run, 4) != SQLITE_NULL;
	if (windowed && sqlite3_column_type(run, 11) != SQLITE_NULL) {
		in.has_window = 1;
		in.window_s = (double)(sqlite3_column_int64(run, 4) - sqlite3_column_int64(run, 3)) / 1e9;
		in.planned_s = sqlite3_column_double(run, 11);
	}
	if (windowed) {
		sqlite3_bind_int64(means, 1, run_id);
		sqlite3_bind_int64(means, 2, sqlite3_column_int64(run, 3));
		sqlite3_bind_int64(means, 3, sqlite3_column_int64(run, 4));
		sqlite3_bind_int64(means, 4, TB_WINDOW_SLACK_NS);
		if (window_means(means, &in) != SQLITE_DONE) {
			tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
			goto out;
		}
	}
	struct tb_verdict v;
	tb_validity_rule(&in, &v);

	sqlite3_bind_int64(up, 1, run_id);
	bind_mean(up, 2, &in, TB_CPU_BUSY);
	bind_mean(up, 3, &in, TB_CPU_MAX);
	if (v.valid != TB_VALID_UNKNOWN)
		sqlite3_bind_int(up, 4, v.valid);
	if (v.valid != TB_VALID)
		sqlite3_bind_text(up, 5, v.reason, -1, SQLITE_STATIC);
	if (v.saturated[0])
		sqlite3_bind_text(up, 6, v.saturated, -1, SQLITE_STATIC);
	if (sqlite3_step(up) != SQLITE_DONE) {
		tb_errbuf(err, errlen, "validity: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(run);
	sqlite3_finalize(means);
	sqlite3_finalize(up);
	return rc;
}
