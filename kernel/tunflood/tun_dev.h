/* The TUN device under test: create it, size its ring, address it, bring it
 * up, and read its counters. */
#ifndef TB_TUN_DEV_H
#define TB_TUN_DEV_H

#include <stdint.h>

/* IFF_BACKPRESSURE: the opt-in flag of the backpressure variant (the form
 * accepted for Linux 7.3). Kernels without it ignore the bit in TUNSETIFF;
 * tun_create reads the flags back and fails then. */
#define TB_IFF_BACKPRESSURE 0x0080

/* Create an IFF_TUN|IFF_NO_PI device (plus extra_flags) from a name or
 * pattern ("tbflood%d"). Returns the fd (O_NONBLOCK if nonblock) and the
 * kernel's name in name_out (16 bytes), or -1 with err filled. */
int tun_create(const char *pattern, int extra_flags, int nonblock, char *name_out, char *err,
	       unsigned errlen);

/* txqueuelen = ring size (the TUN resizes its ptr_ring on this change). */
int tun_set_txqueuelen(const char *name, int len, char *err, unsigned errlen);

/* IPv4 address with prefix length (a route to the subnet through the TUN),
 * IPv6 disabled on the device (no router solicitations or MLD reports that
 * would share the ring with the flood), then IFF_UP. */
int tun_configure_up(const char *name, const char *addr, int prefix, char *err, unsigned errlen);

struct link_stats {
	long long tx_dropped, tx_packets, txqueuelen;
};

/* The device's counters over rtnetlink (RTM_GETLINK: IFLA_STATS64, the same
 * numbers as /sys/class/net/DEV/statistics, which shows the namespace that
 * mounted sysfs rather than ours). Returns 0 or -1 with err. */
int tun_read_link(int ifindex, struct link_stats *s, char *err, unsigned errlen);
int tun_ifindex(const char *name);

#endif
