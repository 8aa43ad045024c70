/* Whether a run measured what it was meant to: nothing that should not be
 * the bottleneck was, judged over the traffic window only. A run is
 *  - unknown (valid NULL) when there is no traffic window, no vCPU samples
 *    in it, or no samples of a process its traffic needs;
 *  - invalid (valid 0, the reason stored) when a measuring tool, the
 *    receiving VPN, the sending VPN on a profile not bound by the VPN, the
 *    WAN's softirq, or any vCPU for another cause reached the CPU limit;
 *  - valid (1) otherwise.
 * Every series at or above the limit is listed in runs.saturated, on valid
 * runs too: a VPN-bound profile expects the sending VPN to saturate and says
 * so; there a saturated vCPU is also expected when the two VPN ends together
 * use at least its load (both ends share the guest's vCPUs). The limit is runs.cpu_limit (NULL: TB_CPU_LIMIT_DEFAULT); the profile's
 * bottleneck is knobs_json '$.profile_values.bottleneck' ('link' when absent).
 *
 * Several cameras (runs.cameras N > 1): N tb-send and N tb-recv processes,
 * each judged on its own as one was before. Camera 0's series keep their
 * names (proc_cpu_pct.tb-send); camera K's are proc_cpu_pct.tb-send.K (the
 * pids file's role "tb-send.K"). A tool is CPU-bound when its busiest
 * instance is, named as in the samples; the run is unknown when any of the
 * N has no samples.
 *
 * Before all of that, the kernel: a run is invalid when the kernel it ran in
 * carries a fault taint after the traffic (runs.kernel_taint_after; the
 * bits of TB_TAINT_FAULTS: it oopsed, warned, hit a bad page, a soft lockup
 * or a machine check), whether the fault came during the run or before it
 * in the same boot: a kernel in that state measures nothing we would
 * trust. Taint from loading our own tun.ko (O, E) is not a fault. Runs
 * without the reading (NULL) are judged on their CPU alone.
 *
 * Then the clock: a run is invalid when its traffic window (the guest's
 * clock at the traffic's start and end) is far from the traffic it planned
 * (runs.duration + tcp_omit): longer than 2 x planned + 30 s, or shorter
 * than half of it. Seen once: the machine hosting QEMU was paused and
 * resumed (a VM snapshot), QEMU's TCG clock (the host's TSC) jumped 5.4
 * days forward in the middle of a run, and iperf3 reported 0 Mbit/s.
 *
 * Then the host: a run in a guest is invalid when more than
 * TB_HOST_OTHER_LIMIT_PCT of the host's CPU (all its CPUs) went to other work
 * than the guest during the traffic (runs.host_other_busy_pct, tb/host_cpu.h):
 * a compile or a second sweep beside the guest takes what its VPN would have
 * had (measured: a calibration beside a compile gave a third of the
 * capacity). Runs without the reading (NULL) are not judged on it. Likewise
 * when more than TB_HOST_STEAL_LIMIT_PCT was stolen from a host that is
 * itself a VM (runs.host_steal_pct): its hypervisor ran something else
 * while the guest wanted the CPU, which no process on the host shows.
 *
 * Samples (experiments/sampler-loop.sh), one per series per second, t_ns the
 * end of the 1 s interval: see tb_series_name(). Only samples with
 * traffic_start_ns + 500 ms < t_ns <= traffic_end_ns + 500 ms count (the
 * intervals mostly inside the traffic); a series' value is their mean. */
#ifndef TB_VALIDITY_H
#define TB_VALIDITY_H

#include "tb/store.h"

#include <stddef.h>

#define TB_CPU_LIMIT_DEFAULT 90.0
/* A traffic window longer than LONG x planned + SLACK s, or shorter than
 * planned / 2, is a clock that jumped (the traffic deadline in
 * experiments/run-point.sh is the same 2 x duration + 30 s). */
#define TB_WINDOW_LONG_FACTOR 2.0
#define TB_WINDOW_LONG_SLACK_S 30.0
/* Percent of the host's CPU busy outside the guest that makes a run invalid:
 * one busy core of a 2-core host is 50 %; the testbed's own host side (vm.sh)
 * uses under 1 %, an idle Debian host about as much. */
#define TB_HOST_OTHER_LIMIT_PCT 10.0
/* Percent of the host's CPU its hypervisor may steal before a run is invalid
 * (0.0 in every run measured on these machines). */
#define TB_HOST_STEAL_LIMIT_PCT 10.0
/* How far past a window edge a sample's interval end may lie: half an interval. */
#define TB_WINDOW_SLACK_NS 500000000LL

/* The series the rule reads, in the order runs.saturated lists them. */
enum tb_series {
	TB_CPU_BUSY,       /* cpu_busy_pct: mean busy % of all vCPUs */
	TB_CPU_MAX,        /* cpu_max_busy_pct: the busiest vCPU's busy % */
	TB_SOFTIRQ_MAX,    /* softirq_max_pct: the highest softirq share of one vCPU */
	TB_TB_SEND,        /* proc_cpu_pct.ROLE: % of one core used by ROLE */
	TB_TB_RECV,
	TB_IPERF_CLIENT,
	TB_IPERF_SERVER,
	TB_VPN_ROBOT,      /* the sending VPN */
	TB_VPN_OPERATOR,   /* the receiving VPN */
	TB_SERIES_COUNT
};

/* The samples name of a series ("cpu_busy_pct", "proc_cpu_pct.tb-send"...). */
const char *tb_series_name(enum tb_series s);
/* How runs.saturated and the reasons name it: the role for a process
 * ("openvpn-robot"), the samples name otherwise. The VPN's two series are
 * named after the run's VPN: proc_cpu_pct.wireguard-go-robot for a
 * wireguard-go run (these two functions give OpenVPN's names). */
const char *tb_series_label(enum tb_series s);

/* Taint bits that mean the kernel faulted (include/linux/panic.h numbering):
 * M machine check (4), B bad page (5), D died: oops (7), W warning (9),
 * L soft lockup (14). */
#define TB_TAINT_FAULTS ((1ULL << 4) | (1ULL << 5) | (1ULL << 7) | (1ULL << 9) | (1ULL << 14))

struct tb_validity_input {
	double cpu_limit;           /* percent */
	const char *bottleneck;     /* the profile's; NULL means 'link' */
	const char *traffic;        /* video | tcp | mixed: which tools must have samples (both VPNs always) */
	const char *vpn;            /* openvpn (also when NULL) | wireguard-go: names the VPN's series */
	int has[TB_SERIES_COUNT];   /* whether the window holds samples of the series */
	double mean[TB_SERIES_COUNT]; /* of tb-send and tb-recv: the busiest camera's */
	/* tb-send and tb-recv with cameras > 1: busiest is the camera of mean[]
	 * (named tb-send.K when K > 0), seen a bit per camera with samples
	 * (bit K); cameras 0 or 1: has[] alone, as for every other series */
	int cameras;
	int busiest[TB_SERIES_COUNT];
	unsigned long long seen[TB_SERIES_COUNT];
	/* the kernel's taint mask before and after the traffic, when read */
	int has_taint;
	unsigned long long taint_before, taint_after;
	/* the traffic window's length and the traffic planned (duration and
	 * TCP omit), in seconds, when both are known (has_window) */
	int has_window;
	double window_s, planned_s;
	/* the share of the host's CPU busy outside the guest, when read */
	int has_host_other;
	double host_other_pct;
	/* the share stolen by the host's hypervisor, when read */
	int has_host_steal;
	double host_steal_pct;
};

/* The highest camera number (and so runs.cameras - 1) the rule tells apart. */
#define TB_VALIDITY_MAX_CAMERA 63

enum { TB_VALID_UNKNOWN = -1, TB_INVALID = 0, TB_VALID = 1 };

struct tb_verdict {
	int valid;          /* TB_VALID, TB_INVALID or TB_VALID_UNKNOWN */
	char reason[256];   /* "" when valid */
	char saturated[512]; /* "openvpn-robot 97.3%, ..." ("" when none) */
};

/* The rule itself, on the window means. */
void tb_validity_rule(const struct tb_validity_input *in, struct tb_verdict *out);

/* Apply the rule to a stored run from its samples, window and settings:
 * sets cpu_busy_pct and cpu_max_busy_pct (window means rounded to 0.1, NULL
 * without samples), valid, invalid_reason and saturated (NULL when no series
 * reached the limit). Returns 0, or -1 with err set. Runs inside the caller's
 * transaction. */
int tb_validity_judge(tb_store *st, long long run_id, char *err, size_t errlen);

#endif
