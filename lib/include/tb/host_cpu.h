/* The host's CPU around a run in a guest: vm.sh writes, once a second, what
 * the host's /proc/stat and the QEMU process had used so far; the guest reads
 * that line when its traffic starts and when it ends. From the two the share
 * of the host's CPU that went to other work than the guest follows: another
 * job on the machine (a compile, a second sweep) takes CPU time the guest's
 * VPN would have had, and a run measured so is not the machine's. */
#ifndef TB_HOST_CPU_H
#define TB_HOST_CPU_H

/* One snapshot, in the host's clock ticks (USER_HZ), as vm.sh writes it:
 * "TOTAL IDLE GUEST STEAL". */
struct tb_host_cpu {
	long long total; /* all CPUs: user nice system idle iowait irq softirq steal */
	long long idle;  /* idle + iowait */
	long long guest; /* the QEMU process: utime + stime (all its threads) */
	long long steal; /* taken by the hypervisor when the host is itself a VM */
};

/* Returns 0, or -1 when s is not four whole non-negative numbers. */
int tb_host_cpu_parse(const char *s, struct tb_host_cpu *out);

/* Shares of the host's CPU time between the snapshots, in percent of all its
 * CPUs: other_pct busy with anything but the guest (steal not included),
 * steal_pct stolen. Returns 0, or -1 when no tick passed between them or a
 * counter went back (snapshots of different boots). A guest's time read a
 * moment apart from /proc/stat can exceed the host's busy time by a tick:
 * other_pct is then 0, not negative. */
int tb_host_cpu_shares(const struct tb_host_cpu *before, const struct tb_host_cpu *after, double *other_pct,
		       double *steal_pct);

#endif
