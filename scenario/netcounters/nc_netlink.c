/* Network namespaces and rtnetlink: the devices' counters (RTM_GETLINK) and
 * the root qdisc's (RTM_GETQDISC dump), the numbers `ip` and `tc -s` show. */
#include <errno.h>
#include <fcntl.h>
#include <linux/gen_stats.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netcounters.h"
#include "tb/err.h"

void nc_enter_netns(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			tb_die("network namespace '%s' does not exist (no %s)", name, path);
		tb_die_errno("network namespace '%s': cannot open %s", name, path);
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		if (errno == EPERM)
			tb_die("network namespace '%s': setns not permitted (needs root)", name);
		tb_die_errno("network namespace '%s': setns", name);
	}
	close(fd);
}

int nc_rtnl_open(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		tb_die_errno("rtnetlink socket");
	return s;
}

/* Called for each reply message that is not DONE or an error. */
typedef void (*nc_reply_fn)(const struct nlmsghdr *h, void *ctx);

/* Send one request and hand every reply message to fn, until NLMSG_DONE
 * (dumps) or the single answer (plain gets). Returns 0, or the negative
 * errno the kernel answered with. Dies on socket errors. */
static int rtnl_talk(int sock, struct nlmsghdr *req, nc_reply_fn fn, void *ctx, const char *what)
{
	static unsigned seq;
	req->nlmsg_seq = ++seq;
	int dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (send(sock, req, req->nlmsg_len, 0) < 0)
		tb_die_errno("%s: netlink send", what);
	/* 64 KiB: more than the kernel puts into one dump chunk (32 KiB) */
	static char buf[65536] __attribute__((aligned(8)));
	for (;;) {
		struct iovec iov = {buf, sizeof buf};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(sock, &m, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tb_die_errno("%s: netlink receive", what);
		}
		if (m.msg_flags & MSG_TRUNC)
			tb_die("%s: netlink reply larger than %zu bytes", what, sizeof buf);
		int left = (int)n;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != req->nlmsg_seq)
				continue; /* a stale answer to nothing we still wait for */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
					tb_die("%s: truncated netlink error", what);
				return e->error;
			}
			fn(h, ctx);
			if (!dump)
				return 0;
		}
	}
}

/* --- devices ----------------------------------------------------------------- */

static void take_link(const struct nlmsghdr *h, void *ctx)
{
	struct nc_link *l = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
	const struct rtattr *a = IFLA_RTA(ifi);
	int have64 = 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_STATS64) {
			/* copied out: the attribute is only 4-byte aligned */
			struct rtnl_link_stats64 s = {0};
			size_t n = RTA_PAYLOAD(a) < sizeof s ? RTA_PAYLOAD(a) : sizeof s;
			memcpy(&s, RTA_DATA(a), n);
			l->rx_packets = s.rx_packets, l->tx_packets = s.tx_packets, l->tx_bytes = s.tx_bytes;
			l->rx_dropped = s.rx_dropped, l->tx_dropped = s.tx_dropped;
			have64 = 1;
		} else if (a->rta_type == IFLA_STATS && !have64) {
			struct rtnl_link_stats s = {0};
			size_t n = RTA_PAYLOAD(a) < sizeof s ? RTA_PAYLOAD(a) : sizeof s;
			memcpy(&s, RTA_DATA(a), n);
			l->rx_packets = s.rx_packets, l->tx_packets = s.tx_packets, l->tx_bytes = s.tx_bytes;
			l->rx_dropped = s.rx_dropped, l->tx_dropped = s.tx_dropped;
		}
	}
	l->ifindex = ifi->ifi_index;
	l->present = 1;
}

void nc_link_read(int sock, const char *dev, struct nc_link *l)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		char attrs[RTA_SPACE(IFNAMSIZ)];
	} req;
	memset(&req, 0, sizeof req);
	memset(l, 0, sizeof *l);
	size_t namelen = strlen(dev) + 1;
	if (namelen > IFNAMSIZ)
		tb_die("device name '%s' is too long", dev);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.i.ifi_family = AF_UNSPEC;
	struct rtattr *a = (struct rtattr *)req.attrs;
	a->rta_type = IFLA_IFNAME;
	a->rta_len = (unsigned short)RTA_LENGTH(namelen);
	memcpy(RTA_DATA(a), dev, namelen);
	req.h.nlmsg_len = (unsigned)(NLMSG_LENGTH(sizeof req.i) + RTA_SPACE(namelen));
	int err = rtnl_talk(sock, &req.h, take_link, l, dev);
	/* a missing device is a value (-1 counters), as in the shell version */
	if (err == -ENODEV)
		memset(l, 0, sizeof *l);
	else if (err)
		tb_die("device %s: RTM_GETLINK: %s", dev, strerror(-err));
}

/* --- the root qdisc ---------------------------------------------------------- */

struct qdisc_pick {
	int ifindex;
	struct nc_qdisc *q;
};

static void take_stats2(const struct rtattr *st, struct nc_qdisc *q, int *has_basic)
{
	const struct rtattr *a = RTA_DATA(st);
	int len = (int)RTA_PAYLOAD(st);
	uint64_t pkt64 = 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_STATS_BASIC) {
			struct gnet_stats_basic b = {0};
			size_t n = RTA_PAYLOAD(a) < sizeof b ? RTA_PAYLOAD(a) : sizeof b;
			memcpy(&b, RTA_DATA(a), n);
			q->sent_bytes = b.bytes, q->sent_pkts = b.packets;
			*has_basic = 1;
		} else if (a->rta_type == TCA_STATS_PKT64 && RTA_PAYLOAD(a) >= sizeof pkt64) {
			memcpy(&pkt64, RTA_DATA(a), sizeof pkt64);
		} else if (a->rta_type == TCA_STATS_QUEUE) {
			struct gnet_stats_queue g = {0};
			size_t n = RTA_PAYLOAD(a) < sizeof g ? RTA_PAYLOAD(a) : sizeof g;
			memcpy(&g, RTA_DATA(a), n);
			q->dropped = g.drops, q->overlimits = g.overlimits, q->requeues = g.requeues;
			q->backlog_pkts = g.qlen;
		}
	}
	/* tc prints the 64-bit packet count instead when the kernel sends one
	 * (more than 2^32 packets) */
	if (pkt64)
		q->sent_pkts = pkt64;
}

/* The shell version's awk takes the first qdisc of the device whose line
 * says "root" (tcm_parent TC_H_ROOT) and that has a "Sent" line, which tc
 * prints from TCA_STATS2's TCA_STATS_BASIC. Later messages (children,
 * ingress) are ignored. */
static void take_qdisc(const struct nlmsghdr *h, void *ctx)
{
	struct qdisc_pick *p = ctx;
	const struct tcmsg *t = NLMSG_DATA(h);
	if (p->q->present || h->nlmsg_type != RTM_NEWQDISC || h->nlmsg_len < NLMSG_LENGTH(sizeof *t) ||
	    t->tcm_ifindex != p->ifindex || t->tcm_parent != TC_H_ROOT)
		return;
	struct nc_qdisc q = {0};
	int has_basic = 0;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *t));
	const struct rtattr *a = (const struct rtattr *)((const char *)t + NLMSG_ALIGN(sizeof *t));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			snprintf(q.kind, sizeof q.kind, "%.*s", (int)strnlen(RTA_DATA(a), RTA_PAYLOAD(a)),
				 (const char *)RTA_DATA(a));
		else if (a->rta_type == TCA_STATS2)
			take_stats2(a, &q, &has_basic);
	}
	if (has_basic) {
		q.present = 1;
		*p->q = q;
	}
}

void nc_root_qdisc_read(int sock, int ifindex, struct nc_qdisc *q)
{
	memset(q, 0, sizeof *q);
	struct {
		struct nlmsghdr h;
		struct tcmsg t;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.t);
	req.h.nlmsg_type = RTM_GETQDISC;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.t.tcm_family = AF_UNSPEC;
	/* the kernel dumps every device's qdiscs; take_qdisc filters, as tc does */
	req.t.tcm_ifindex = ifindex;
	struct qdisc_pick p = {ifindex, q};
	int err = rtnl_talk(sock, &req.h, take_qdisc, &p, "RTM_GETQDISC");
	if (err)
		tb_die("qdisc dump: %s", strerror(-err));
}
