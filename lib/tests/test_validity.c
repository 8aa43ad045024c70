/* The validity rule: each verdict with its reason and their order, the
 * thresholds (>= the limit), a VPN-bound profile's expected saturation,
 * missing samples giving unknown (never valid); then judging stored runs:
 * only samples inside the traffic window count, at its exact edges too. */
#include "tb/check.h"
#include "tb/host_cpu.h"
#include "tb/store.h"
#include "tb/validity.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>

/* --- the rule on window means ------------------------------------------------ */

/* A run whose every series is present and well below 90 %. */
static struct tb_validity_input healthy(const char *traffic, const char *bottleneck)
{
	struct tb_validity_input in = {.cpu_limit = 90, .bottleneck = bottleneck, .traffic = traffic};
	const double mean[TB_SERIES_COUNT] = {
		[TB_CPU_BUSY] = 40,     [TB_CPU_MAX] = 60,      [TB_SOFTIRQ_MAX] = 10,
		[TB_TB_SEND] = 20,      [TB_TB_RECV] = 30,      [TB_IPERF_CLIENT] = 25,
		[TB_IPERF_SERVER] = 15, [TB_VPN_ROBOT] = 50,    [TB_VPN_OPERATOR] = 45,
	};
	for (int i = 0; i < TB_SERIES_COUNT; i++) {
		in.has[i] = 1;
		in.mean[i] = mean[i];
	}
	return in;
}

/* "VALID|reason|saturated", VALID one of 1, 0, NULL. */
static const char *verdict(const struct tb_validity_input *in)
{
	static char buf[1024];
	struct tb_verdict v;
	memset(&v, 'x', sizeof v); /* every field must be written */
	tb_validity_rule(in, &v);
	snprintf(buf, sizeof buf, "%s|%s|%s",
		 v.valid == TB_VALID ? "1" : v.valid == TB_INVALID ? "0" : v.valid == TB_VALID_UNKNOWN ? "NULL" : "?",
		 v.reason, v.saturated);
	return buf;
}

static void test_names(void)
{
	CHECK_EQ_STR(tb_series_name(TB_CPU_BUSY), "cpu_busy_pct");
	CHECK_EQ_STR(tb_series_name(TB_CPU_MAX), "cpu_max_busy_pct");
	CHECK_EQ_STR(tb_series_name(TB_SOFTIRQ_MAX), "softirq_max_pct");
	CHECK_EQ_STR(tb_series_name(TB_TB_SEND), "proc_cpu_pct.tb-send");
	CHECK_EQ_STR(tb_series_name(TB_TB_RECV), "proc_cpu_pct.tb-recv");
	CHECK_EQ_STR(tb_series_name(TB_IPERF_CLIENT), "proc_cpu_pct.iperf3-client");
	CHECK_EQ_STR(tb_series_name(TB_IPERF_SERVER), "proc_cpu_pct.iperf3-server");
	CHECK_EQ_STR(tb_series_name(TB_VPN_ROBOT), "proc_cpu_pct.openvpn-robot");
	CHECK_EQ_STR(tb_series_name(TB_VPN_OPERATOR), "proc_cpu_pct.openvpn-operator");
	CHECK_EQ_STR(tb_series_label(TB_VPN_ROBOT), "openvpn-robot");
	CHECK(tb_series_name(TB_SERIES_COUNT) == NULL);
}

static void test_valid(void)
{
	struct tb_validity_input in = healthy("video", "link");
	CHECK_EQ_STR(verdict(&in), "1||");
	/* just below the limit everywhere is still valid */
	for (int i = 0; i < TB_SERIES_COUNT; i++)
		in.mean[i] = 89.99;
	CHECK_EQ_STR(verdict(&in), "1||");
	in = healthy("tcp", NULL);
	CHECK_EQ_STR(verdict(&in), "1||");
}

static void test_no_cpu_samples(void)
{
	struct tb_validity_input in = healthy("video", "link");
	in.has[TB_CPU_BUSY] = 0;
	CHECK_EQ_STR(verdict(&in), "NULL|unknown: no CPU samples in the traffic window|");
	in = healthy("video", "link");
	in.has[TB_CPU_MAX] = 0;
	in.mean[TB_TB_RECV] = 99; /* unknown comes before any invalid cause... */
	CHECK_EQ_STR(verdict(&in), "NULL|unknown: no CPU samples in the traffic window|tb-recv 99.0%");
	struct tb_validity_input none = {.cpu_limit = 90, .traffic = "video"};
	CHECK_EQ_STR(verdict(&none), "NULL|unknown: no CPU samples in the traffic window|");
}

/* The kernel's taint: O (4096) and E (8192), our own unsigned tun.ko, are
 * not faults; W (512), D (128), B (32), L (16384), M (16) are, set during
 * the run or already before it, and come before every CPU verdict. */
static void test_kernel_taint(void)
{
	struct tb_validity_input in = healthy("video", "link");
	in.has_taint = 1;
	in.taint_before = in.taint_after = 4096 + 8192;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.taint_after = 4096 + 8192 + 512;
	CHECK_EQ_STR(verdict(&in), "0|the kernel faulted during the run (taint W): an oops or a warning,"
				   " see the kernel log|");
	in.taint_after = 12288 + 512 + 128;
	CHECK_EQ_STR(verdict(&in), "0|the kernel faulted during the run (taint D W): an oops or a warning,"
				   " see the kernel log|");
	in.taint_before = 12288 + 128;
	CHECK_EQ_STR(verdict(&in), "0|the kernel faulted during the run (taint W) and before it in this boot"
				   " (taint D): an oops or a warning, see the kernel log|");
	in.taint_before = in.taint_after = 16 + 32 + 16384;
	CHECK_EQ_STR(verdict(&in), "0|the kernel had faulted before the run in this boot (taint M B L):"
				   " an oops or a warning, see the kernel log|");
	/* without the reading the CPU alone judges; with it, a fault comes first */
	in.has_taint = 0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in = healthy("video", "link");
	in.has[TB_CPU_MAX] = 0;
	in.mean[TB_TB_RECV] = 99;
	in.has_taint = 1;
	in.taint_after = 512;
	CHECK_EQ_STR(verdict(&in), "0|the kernel faulted during the run (taint W): an oops or a warning,"
				   " see the kernel log|tb-recv 99.0%");
	/* every other bit (P F S R U A C I O E K X T, 64 bits wide) is not a fault */
	in = healthy("tcp", "link");
	in.has_taint = 1;
	in.taint_after = ~(16ULL | 32 | 128 | 512 | 16384);
	CHECK_EQ_STR(verdict(&in), "1||");
}

/* The host's other work: above 10 % of its CPU outside the guest the run is
 * invalid, after a kernel fault and before every CPU verdict; 10.0 itself is
 * within; so is stolen time, judged apart. The shares come from vm.sh's snapshots: 2 CPUs x 100 ticks/s
 * x 10 s = 2000 ticks, of which 700 idle, 1000 QEMU, 300 other: 15 %. */
static void test_host_other_work(void)
{
	struct tb_host_cpu b, a;
	double other, steal;
	CHECK(tb_host_cpu_parse("5000 3000 1000 0", &b) == 0);
	CHECK(tb_host_cpu_parse("7000 3700 2000 0", &a) == 0);
	CHECK(tb_host_cpu_shares(&b, &a, &other, &steal) == 0);
	CHECK(other == 15.0 && steal == 0.0);
	/* a host that is itself a VM: 100 ticks stolen are not "other work" */
	CHECK(tb_host_cpu_parse("7000 3600 2000 100", &a) == 0);
	CHECK(tb_host_cpu_shares(&b, &a, &other, &steal) == 0);
	CHECK(other == 15.0 && steal == 5.0);
	/* QEMU's time read a moment after /proc/stat: a tick more than the busy time */
	CHECK(tb_host_cpu_parse("7000 4000 2001 0", &a) == 0);
	CHECK(tb_host_cpu_shares(&b, &a, &other, &steal) == 0);
	CHECK(other == 0.0);
	/* no tick between the snapshots, or counters of another boot: no share */
	CHECK(tb_host_cpu_shares(&b, &b, &other, &steal) == -1);
	CHECK(tb_host_cpu_parse("100 50 10 0", &a) == 0);
	CHECK(tb_host_cpu_shares(&b, &a, &other, &steal) == -1);
	const char *bad[] = {"", "1 2 3", "1 2 3 4 5", "1  2 3 4", "-1 2 3 4", "1 2 3 x", " 1 2 3 4", "1 2 3 4 "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(tb_host_cpu_parse(bad[i], &a) == -1);

	struct tb_validity_input in = healthy("video", "link");
	in.has_host_other = 1;
	in.host_other_pct = 10.0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.host_other_pct = 15.0;
	CHECK_EQ_STR(verdict(&in), "0|the host was busy with other work during the run (15.0 % of its CPU outside"
				   " the guest, limit 10 %): keep the machine idle while it measures|");
	in.has[TB_CPU_BUSY] = 0; /* before the samples' verdicts */
	CHECK(strncmp(verdict(&in), "0|the host was busy", 19) == 0);
	in.has_taint = 1, in.taint_before = 0, in.taint_after = 512; /* after a kernel fault */
	CHECK(strncmp(verdict(&in), "0|the kernel faulted", 20) == 0);
	in = healthy("video", "link");
	in.host_other_pct = 50.0; /* not read: not judged */
	CHECK_EQ_STR(verdict(&in), "1||");

	/* stolen by the hypervisor under the host: its own limit, after other work */
	in = healthy("video", "link");
	in.has_host_steal = 1;
	in.host_steal_pct = 10.0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.host_steal_pct = 12.5;
	CHECK_EQ_STR(verdict(&in), "0|the host's hypervisor took its CPU during the run (12.5 % stolen, limit 10 %):"
				   " the machine under this host was busy|");
	in.has_host_other = 1, in.host_other_pct = 20.0;
	CHECK(strncmp(verdict(&in), "0|the host was busy", 19) == 0);
	in = healthy("video", "link");
	in.host_steal_pct = 50.0; /* not read: not judged */
	CHECK_EQ_STR(verdict(&in), "1||");
}

/* The clock: a traffic window far from the traffic planned is a clock that
 * jumped; 12 s planned: 54 s (2 x 12 + 30) and 6 s (half) are within. Judged
 * after a kernel fault, before the host and every CPU verdict. */
static void test_clock_jump(void)
{
	struct tb_validity_input in = healthy("tcp", "link");
	in.has_window = 1, in.planned_s = 12;
	in.window_s = 13.0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.window_s = 54.0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.window_s = 6.0;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.window_s = 463389.35; /* the run of the full reproduction's shard 2 */
	CHECK_EQ_STR(verdict(&in), "0|the guest's clock jumped during the run (a traffic window of 463389.4 s for 12 s"
				   " of traffic): its rates and times are wrong (was the host paused or moved?)|");
	in.window_s = 54.5;
	CHECK(strncmp(verdict(&in), "0|the guest's clock jumped", 26) == 0);
	in.window_s = 5.9;
	CHECK(strncmp(verdict(&in), "0|the guest's clock jumped", 26) == 0);
	in.window_s = -3.0; /* backwards */
	CHECK(strncmp(verdict(&in), "0|the guest's clock jumped", 26) == 0);
	in.has_host_other = 1, in.host_other_pct = 50; /* before the host */
	in.has[TB_CPU_BUSY] = 0;
	CHECK(strncmp(verdict(&in), "0|the guest's clock jumped", 26) == 0);
	in.has_taint = 1, in.taint_before = 0, in.taint_after = 512; /* after a kernel fault */
	CHECK(strncmp(verdict(&in), "0|the kernel faulted", 20) == 0);
	in = healthy("tcp", "link");
	in.window_s = 1e6, in.planned_s = 12; /* no window: not judged */
	CHECK_EQ_STR(verdict(&in), "1||");
	in.has_window = 1, in.planned_s = 0; /* nothing planned: not judged */
	CHECK_EQ_STR(verdict(&in), "1||");
}

static void test_measuring_tools(void)
{
	struct tb_validity_input in = healthy("video", "link");
	in.mean[TB_TB_RECV] = 95.04;
	in.mean[TB_VPN_OPERATOR] = 99; /* a tool comes first */
	in.mean[TB_CPU_MAX] = 100;
	CHECK_EQ_STR(verdict(&in), "0|measuring tool tb-recv CPU-bound: 95.0% of a core >= 90%|"
				   "cpu_max_busy_pct 100.0%, tb-recv 95.0%, openvpn-operator 99.0%");
	in = healthy("video", "link");
	in.mean[TB_TB_SEND] = 90; /* the limit itself counts */
	CHECK_EQ_STR(verdict(&in), "0|measuring tool tb-send CPU-bound: 90.0% of a core >= 90%|tb-send 90.0%");
	in = healthy("tcp", "vpn"); /* a VPN-bound profile does not excuse a tool */
	in.mean[TB_IPERF_SERVER] = 91;
	in.mean[TB_VPN_ROBOT] = 97;
	CHECK_EQ_STR(verdict(&in), "0|measuring tool iperf3-server CPU-bound: 91.0% of a core >= 90%|"
				   "iperf3-server 91.0%, openvpn-robot 97.0%");
	in = healthy("tcp", "link");
	in.cpu_limit = 87.5;
	in.mean[TB_IPERF_CLIENT] = 87.5;
	CHECK_EQ_STR(verdict(&in), "0|measuring tool iperf3-client CPU-bound: 87.5% of a core >= 87.5%|"
				   "iperf3-client 87.5%");
}

static void test_vpns(void)
{
	struct tb_validity_input in = healthy("video", "vpn");
	in.mean[TB_VPN_OPERATOR] = 92.24;
	CHECK_EQ_STR(verdict(&in), "0|receiving VPN openvpn-operator CPU-bound: 92.2% of a core >= 90%|"
				   "openvpn-operator 92.2%");
	in = healthy("video", "link");
	in.mean[TB_VPN_ROBOT] = 97.26;
	in.mean[TB_SOFTIRQ_MAX] = 95; /* the sending VPN comes before softirq */
	CHECK_EQ_STR(verdict(&in), "0|sending VPN openvpn-robot CPU-bound: 97.3% of a core >= 90% on a profile"
				   " whose bottleneck is 'link', not the VPN|softirq_max_pct 95.0%, openvpn-robot 97.3%");
	in.bottleneck = NULL; /* no bottleneck known: the link */
	in.mean[TB_SOFTIRQ_MAX] = 10;
	CHECK_EQ_STR(verdict(&in), "0|sending VPN openvpn-robot CPU-bound: 97.3% of a core >= 90% on a profile"
				   " whose bottleneck is 'link', not the VPN|openvpn-robot 97.3%");
}

static void test_vpn_bound_profile(void)
{
	/* the sending VPN saturates its vCPU, as the profile expects: valid, and said */
	struct tb_validity_input in = healthy("video", "vpn");
	in.mean[TB_VPN_ROBOT] = 97.26;
	in.mean[TB_CPU_MAX] = 98;
	CHECK_EQ_STR(verdict(&in), "1||cpu_max_busy_pct 98.0%, openvpn-robot 97.3%");
	/* a saturated vCPU without the VPN at its limit is something else */
	in.mean[TB_VPN_ROBOT] = 50;
	in.mean[TB_VPN_OPERATOR] = 47.9;
	CHECK_EQ_STR(verdict(&in), "0|a vCPU saturated (98.0%) by something that is not the expected bottleneck|"
				   "cpu_max_busy_pct 98.0%");
	/* unless both VPN ends together carry that vCPU's load (both share the
	 * guest; a TCP run on lan measured 61.7 % + 56.2 % against 90.3 %) */
	in.mean[TB_VPN_OPERATOR] = 48;
	CHECK_EQ_STR(verdict(&in), "1||cpu_max_busy_pct 98.0%");
	/* ... which on a link-bound profile is no excuse */
	in.bottleneck = "link";
	CHECK_EQ_STR(verdict(&in), "0|a vCPU saturated (98.0%) by something that is not the expected bottleneck|"
				   "cpu_max_busy_pct 98.0%");
	in.bottleneck = "vpn";
	in.mean[TB_TB_RECV] = 85; /* a measuring tool, nearly at its limit, fills the vCPU */
	in.mean[TB_VPN_ROBOT] = 6.4;
	in.mean[TB_VPN_OPERATOR] = 5.7;
	CHECK_EQ_STR(verdict(&in), "0|a vCPU saturated (98.0%) by something that is not the expected bottleneck|"
				   "cpu_max_busy_pct 98.0%");
	/* softirq is never the expected bottleneck */
	in.mean[TB_VPN_ROBOT] = 97;
	in.mean[TB_SOFTIRQ_MAX] = 93;
	CHECK_EQ_STR(verdict(&in), "0|softirq (the WAN emulation) saturated a vCPU: 93.0% >= 90%|"
				   "cpu_max_busy_pct 98.0%, softirq_max_pct 93.0%, openvpn-robot 97.0%");
}

static void test_vcpu(void)
{
	struct tb_validity_input in = healthy("mixed", "link");
	in.mean[TB_CPU_MAX] = 96;
	in.mean[TB_CPU_BUSY] = 91;
	CHECK_EQ_STR(verdict(&in), "0|a vCPU saturated (96.0%) by something that is not the expected bottleneck|"
				   "cpu_busy_pct 91.0%, cpu_max_busy_pct 96.0%");
	/* an invalid cause is reported even when a needed role has no samples */
	in.has[TB_TB_SEND] = 0;
	CHECK_EQ_STR(verdict(&in), "0|a vCPU saturated (96.0%) by something that is not the expected bottleneck|"
				   "cpu_busy_pct 91.0%, cpu_max_busy_pct 96.0%");
}

static void test_missing_roles(void)
{
	static const struct {
		const char *traffic;
		enum tb_series missing;
		const char *want;
	} cases[] = {
		{"video", TB_TB_SEND, "NULL|unknown: no CPU samples of tb-send|"},
		{"video", TB_TB_RECV, "NULL|unknown: no CPU samples of tb-recv|"},
		{"video", TB_IPERF_CLIENT, "1||"}, /* not part of a video run */
		{"tcp", TB_IPERF_CLIENT, "NULL|unknown: no CPU samples of iperf3-client|"},
		{"tcp", TB_IPERF_SERVER, "NULL|unknown: no CPU samples of iperf3-server|"},
		{"tcp", TB_TB_RECV, "1||"},
		{"mixed", TB_TB_SEND, "NULL|unknown: no CPU samples of tb-send|"},
		{"mixed", TB_IPERF_SERVER, "NULL|unknown: no CPU samples of iperf3-server|"},
		{"video", TB_VPN_ROBOT, "NULL|unknown: no CPU samples of openvpn-robot|"},
		{"tcp", TB_VPN_OPERATOR, "NULL|unknown: no CPU samples of openvpn-operator|"},
		{"video", TB_SOFTIRQ_MAX, "1||"}, /* nothing to saturate is known */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tb_validity_input in = healthy(cases[i].traffic, "link");
		in.has[cases[i].missing] = 0;
		CHECK_EQ_STR(verdict(&in), cases[i].want);
	}
	/* the first missing role is named */
	struct tb_validity_input in = healthy("mixed", "link");
	in.has[TB_IPERF_CLIENT] = in.has[TB_VPN_OPERATOR] = 0;
	CHECK_EQ_STR(verdict(&in), "NULL|unknown: no CPU samples of iperf3-client|");
}

/* Several cameras: every camera's tb-send and tb-recv must have samples, and
 * each is judged on its own; a verdict names the camera (tb-send.K, camera
 * 0 keeps the plain name). */
static void test_cameras_rule(void)
{
	struct tb_validity_input in = healthy("video", "link");
	in.cameras = 3;
	in.seen[TB_TB_SEND] = 0x7;
	in.seen[TB_TB_RECV] = 0x5; /* cameras 0 and 2 */
	CHECK_EQ_STR(verdict(&in), "NULL|unknown: no CPU samples of tb-recv.1|");
	in.seen[TB_TB_RECV] = 0x7;
	CHECK_EQ_STR(verdict(&in), "1||");
	in.seen[TB_TB_SEND] = 0x6;
	CHECK_EQ_STR(verdict(&in), "NULL|unknown: no CPU samples of tb-send|");
	in.seen[TB_TB_SEND] = 0x7;
	in.mean[TB_TB_SEND] = 95;
	in.busiest[TB_TB_SEND] = 2;
	CHECK_EQ_STR(verdict(&in), "0|measuring tool tb-send.2 CPU-bound: 95.0% of a core >= 90%|tb-send.2 95.0%");
	/* one camera (or none recorded): has[] alone, as before */
	in = healthy("video", "link");
	in.cameras = 1;
	CHECK_EQ_STR(verdict(&in), "1||");
	/* a TCP run needs no camera's tools */
	in = healthy("tcp", "link");
	in.cameras = 2;
	in.has[TB_TB_SEND] = in.has[TB_TB_RECV] = 0;
	CHECK_EQ_STR(verdict(&in), "1||");
}

/* --- judging stored runs ------------------------------------------------------- */

#define S 1700000000000000000LL /* the window's start, ns */
#define SEC 1000000000LL

static long long new_run(tb_store *st, const char *traffic, const char *cpu_limit, const char *knobs,
			 const char *start, const char *end)
{
	char *sql = sqlite3_mprintf("INSERT INTO runs(kind, traffic, cpu_limit, knobs_json, traffic_start_ns,"
				    " traffic_end_ns) VALUES(%Q, %Q, %s, %Q, %s, %s)",
				    traffic, traffic, cpu_limit, knobs, start, end);
	CHECK(tb_store_exec(st, sql) == 0);
	sqlite3_free(sql);
	return sqlite3_last_insert_rowid(tb_store_db(st));
}

static void sample(tb_store *st, long long id, long long t_ns, const char *name, double v)
{
	char *sql = sqlite3_mprintf("INSERT INTO samples(run_id, t_ns, name, value) VALUES(%lld, %lld, %Q, %.17g)",
				    id, t_ns, name, v);
	CHECK(tb_store_exec(st, sql) == 0);
	sqlite3_free(sql);
}

/* Remove a series of run id. */
static void drop_series(tb_store *st, long long id, const char *names)
{
	char *sql = sqlite3_mprintf("DELETE FROM samples WHERE run_id = %lld AND name IN (%s)", id, names);
	CHECK(tb_store_exec(st, sql) == 0);
	sqlite3_free(sql);
}

/* The same value of one series at S+1 s, S+2 s, S+3 s (inside a window
 * S .. S+3 s). */
static void series3(tb_store *st, long long id, const char *name, double v)
{
	for (int k = 1; k <= 3; k++)
		sample(st, id, S + k * SEC, name, v);
}

/* A healthy video run's samples inside the window S .. S+3 s. */
static void healthy_video(tb_store *st, long long id)
{
	series3(st, id, "cpu_busy_pct", 40);
	series3(st, id, "cpu_max_busy_pct", 60);
	series3(st, id, "softirq_max_pct", 10);
	series3(st, id, "proc_cpu_pct.tb-send", 20);
	series3(st, id, "proc_cpu_pct.tb-recv", 30);
	series3(st, id, "proc_cpu_pct.openvpn-robot", 50);
	series3(st, id, "proc_cpu_pct.openvpn-operator", 45);
}

/* "valid|cpu_busy_pct|cpu_max_busy_pct|invalid_reason|saturated" after judging. */
static void judged(tb_store *st, long long id, char *buf, size_t len)
{
	char err[256] = "";
	CHECK(tb_validity_judge(st, id, err, sizeof err) == 0);
	char *sql = sqlite3_mprintf("SELECT coalesce(valid, 'NULL') || '|' || coalesce(cpu_busy_pct, 'NULL') || '|' ||"
				    " coalesce(cpu_max_busy_pct, 'NULL') || '|' || coalesce(invalid_reason, 'NULL') ||"
				    " '|' || coalesce(saturated, 'NULL') FROM runs WHERE id = %lld", id);
	store_text(st, sql, buf, len);
	sqlite3_free(sql);
}

#define CHECK_JUDGED(st, id, want)                                                     \
	do {                                                                           \
		char got_[1024];                                                       \
		judged(st, id, got_, sizeof got_);                                     \
		CHECK_EQ_STR(got_, want);                                              \
	} while (0)

static const char link_knobs[] = "{\"profile_values\":{\"bottleneck\":\"link\"}}";
static const char vpn_knobs[] = "{\"profile_values\":{\"bottleneck\":\"vpn\"}}";
static const char start[] = "1700000000000000000", end[] = "1700000003000000000"; /* S, S+3 s */

static void test_judge_window(tb_store *st)
{
	/* Saturated samples just outside the window (at S, at S+0.5 s exactly,
	 * one ns past E+0.5 s) are ignored; one at E+0.5 s exactly counts:
	 * cpu_busy_pct (40 + 40 + 40 + 80) / 4 = 50. */
	long long a = new_run(st, "video", "NULL", link_knobs, start, end);
	healthy_video(st, a);
	sample(st, a, S + 3 * SEC + SEC / 2, "cpu_busy_pct", 80);
	const char *all[] = {"cpu_busy_pct", "cpu_max_busy_pct", "softirq_max_pct", "proc_cpu_pct.tb-recv",
			     "proc_cpu_pct.openvpn-operator", "proc_cpu_pct.openvpn-robot"};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		sample(st, a, S, all[i], 100);
		sample(st, a, S + SEC / 2, all[i], 100);
		sample(st, a, S + 3 * SEC + SEC / 2 + 1, all[i], 100);
	}
	CHECK_JUDGED(st, a, "1|50.0|60.0|NULL|NULL");

	/* the same samples shifted out of the window: nothing to judge */
	long long b = new_run(st, "video", "90", link_knobs, "1700000010000000000", "1700000013000000000");
	healthy_video(st, b);
	CHECK_JUDGED(st, b, "NULL|NULL|NULL|unknown: no CPU samples in the traffic window|NULL");

	/* no window stored: unknown, whatever the samples */
	long long c = new_run(st, "video", "90", link_knobs, "NULL", "NULL");
	healthy_video(st, c);
	CHECK_JUDGED(st, c, "NULL|NULL|NULL|unknown: no CPU samples in the traffic window|NULL");
}

static void test_judge_verdicts(tb_store *st)
{
	/* tb-recv (94 + 96 + 95) / 3 = 95 */
	long long a = new_run(st, "video", "90", link_knobs, start, end);
	healthy_video(st, a);
	drop_series(st, a, "'proc_cpu_pct.tb-recv'");
	sample(st, a, S + 1 * SEC, "proc_cpu_pct.tb-recv", 94);
	sample(st, a, S + 2 * SEC, "proc_cpu_pct.tb-recv", 96);
	sample(st, a, S + 3 * SEC, "proc_cpu_pct.tb-recv", 95);
	CHECK_JUDGED(st, a, "0|40.0|60.0|measuring tool tb-recv CPU-bound: 95.0% of a core >= 90%|tb-recv 95.0%");

	/* a video run without the receiving VPN's samples */
	long long b = new_run(st, "video", "90", link_knobs, start, end);
	healthy_video(st, b);
	drop_series(st, b, "'proc_cpu_pct.openvpn-operator'");
	CHECK_JUDGED(st, b, "NULL|40.0|60.0|unknown: no CPU samples of openvpn-operator|NULL");

	/* VPN-bound: the sending VPN (97.2 + 97.4 + 97.3) / 3 = 97.3 fills a vCPU (98) */
	long long c = new_run(st, "video", "90", vpn_knobs, start, end);
	healthy_video(st, c);
	drop_series(st, c, "'proc_cpu_pct.openvpn-robot', 'cpu_max_busy_pct'");
	series3(st, c, "cpu_max_busy_pct", 98);
	sample(st, c, S + 1 * SEC, "proc_cpu_pct.openvpn-robot", 97.2);
	sample(st, c, S + 2 * SEC, "proc_cpu_pct.openvpn-robot", 97.4);
	sample(st, c, S + 3 * SEC, "proc_cpu_pct.openvpn-robot", 97.3);
	CHECK_JUDGED(st, c, "1|40.0|98.0|NULL|cpu_max_busy_pct 98.0%, openvpn-robot 97.3%");

	/* a tcp run: its tools, not tb-send/tb-recv; the sending VPN on a link
	 * profile; the profile unknown (knobs not JSON) is the link */
	long long d = new_run(st, "tcp", "90", "not json", start, end);
	series3(st, d, "cpu_busy_pct", 55);
	series3(st, d, "cpu_max_busy_pct", 93);
	series3(st, d, "softirq_max_pct", 20);
	series3(st, d, "proc_cpu_pct.iperf3-client", 30);
	series3(st, d, "proc_cpu_pct.iperf3-server", 25);
	series3(st, d, "proc_cpu_pct.openvpn-robot", 92);
	series3(st, d, "proc_cpu_pct.openvpn-operator", 60);
	CHECK_JUDGED(st, d, "0|55.0|93.0|sending VPN openvpn-robot CPU-bound: 92.0% of a core >= 90% on a profile"
			    " whose bottleneck is 'link', not the VPN|cpu_max_busy_pct 93.0%, openvpn-robot 92.0%");

	/* the limit from the row: softirq 85 >= 80 */
	long long e = new_run(st, "video", "80", link_knobs, start, end);
	healthy_video(st, e);
	drop_series(st, e, "'softirq_max_pct'");
	series3(st, e, "softirq_max_pct", 85);
	CHECK_JUDGED(st, e, "0|40.0|60.0|softirq (the WAN emulation) saturated a vCPU: 85.0% >= 80%|softirq_max_pct 85.0%");

	/* a wireguard-go run: its VPN's series carry its name; OpenVPN-named
	 * samples in it do not stand in for them */
	long long f = new_run(st, "video", "90", link_knobs, start, end);
	char *wg = sqlite3_mprintf("UPDATE runs SET vpn = 'wireguard-go' WHERE id = %lld", f);
	CHECK(tb_store_exec(st, wg) == 0);
	sqlite3_free(wg);
	healthy_video(st, f);
	CHECK_JUDGED(st, f, "NULL|40.0|60.0|unknown: no CPU samples of wireguard-go-robot|NULL");
	series3(st, f, "proc_cpu_pct.wireguard-go-robot", 50);
	series3(st, f, "proc_cpu_pct.wireguard-go-operator", 93);
	CHECK_JUDGED(st, f, "0|40.0|60.0|receiving VPN wireguard-go-operator CPU-bound: 93.0% of a core >= 90%"
			    "|wireguard-go-operator 93.0%");

	/* two cameras: camera 1's processes as tb-send.1 and tb-recv.1 */
	long long g = new_run(st, "video", "90", link_knobs, start, end);
	char *two = sqlite3_mprintf("UPDATE runs SET cameras = 2 WHERE id = %lld", g);
	CHECK(tb_store_exec(st, two) == 0);
	sqlite3_free(two);
	healthy_video(st, g);
	CHECK_JUDGED(st, g, "NULL|40.0|60.0|unknown: no CPU samples of tb-send.1|NULL");
	series3(st, g, "proc_cpu_pct.tb-send.1", 25);
	series3(st, g, "proc_cpu_pct.tb-send.01", 99); /* not a camera's name: not read */
	series3(st, g, "proc_cpu_pct.tb-sendx", 99);
	CHECK_JUDGED(st, g, "NULL|40.0|60.0|unknown: no CPU samples of tb-recv.1|NULL");
	series3(st, g, "proc_cpu_pct.tb-recv.1", 35);
	CHECK_JUDGED(st, g, "1|40.0|60.0|NULL|NULL");
	/* camera 1's receiver (91 + 92 + 96) / 3 = 93 at the limit, camera 0's at 30 */
	drop_series(st, g, "'proc_cpu_pct.tb-recv.1'");
	sample(st, g, S + 1 * SEC, "proc_cpu_pct.tb-recv.1", 91);
	sample(st, g, S + 2 * SEC, "proc_cpu_pct.tb-recv.1", 92);
	sample(st, g, S + 3 * SEC, "proc_cpu_pct.tb-recv.1", 96);
	CHECK_JUDGED(st, g, "0|40.0|60.0|measuring tool tb-recv.1 CPU-bound: 93.0% of a core >= 90%|tb-recv.1 93.0%");

	/* the kernel's taint from the row: W set during the run (12288 -> 12800) */
	long long h = new_run(st, "video", "90", link_knobs, start, end);
	healthy_video(st, h);
	char *taint = sqlite3_mprintf("UPDATE runs SET kernel_taint_before = 12288, kernel_taint_after = 12800"
				      " WHERE id = %lld", h);
	CHECK(tb_store_exec(st, taint) == 0);
	sqlite3_free(taint);
	CHECK_JUDGED(st, h, "0|40.0|60.0|the kernel faulted during the run (taint W): an oops or a warning,"
			    " see the kernel log|NULL");
	/* only one of the two read: not judged on it */
	taint = sqlite3_mprintf("UPDATE runs SET kernel_taint_before = NULL WHERE id = %lld", h);
	CHECK(tb_store_exec(st, taint) == 0);
	sqlite3_free(taint);
	CHECK_JUDGED(st, h, "1|40.0|60.0|NULL|NULL");

	char err[256] = "";
	CHECK(tb_validity_judge(st, 424242, err, sizeof err) == -1);
	CHECK(strstr(err, "no run with id 424242") != NULL);
}

int main(void)
{
	scratch_dir_make("validity");
	test_names();
	test_valid();
	test_no_cpu_samples();
	test_kernel_taint();
	test_host_other_work();
	test_clock_jump();
	test_measuring_tools();
	test_vpns();
	test_vpn_bound_profile();
	test_vcpu();
	test_missing_roles();
	test_cameras_rule();
	tb_store *st = scratch_store_open("v.db");
	test_judge_window(st);
	test_judge_verdicts(st);
	tb_store_close(st);
	scratch_dir_remove();
	return TB_CHECK_SUMMARY();
}
