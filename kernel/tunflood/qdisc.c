#include "qdisc.h"

#include "tb/err.h"

#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int replace_with_tc(const char *dev, char **words, int nwords, char *err, unsigned errlen)
{
	char *argv[8 + 16];
	int n = 0;
	if (nwords > 16) {
		tb_errbuf(err, errlen, "qdisc spec has more than 16 words");
		return -1;
	}
	argv[n++] = "tc";
	argv[n++] = "qdisc";
	argv[n++] = "replace";
	argv[n++] = "dev";
	argv[n++] = (char *)dev;
	argv[n++] = "root";
	for (int i = 0; i < nwords; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	pid_t pid;
	int rc = posix_spawnp(&pid, "tc", NULL, NULL, argv, environ);
	if (rc) {
		tb_errbuf(err, errlen, "cannot run tc: %s", strerror(rc));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			tb_errbuf(err, errlen, "waitpid tc: %s", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char spec[256] = "";
		for (int i = 0; i < nwords; i++) {
			strncat(spec, " ", sizeof spec - strlen(spec) - 1);
			strncat(spec, words[i], sizeof spec - strlen(spec) - 1);
		}
		tb_errbuf(err, errlen, "'tc qdisc replace dev %s root%s' failed (%s %d)", dev, spec,
			  WIFEXITED(status) ? "exit" : "signal",
			  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

static void add_attr(struct nlmsghdr *h, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* 1 = handled (0 or -1 in *rc), 0 = not a spec handled here. */
static int replace_native(int ifindex, char **words, int nwords, int *rc, char *err,
			  unsigned errlen)
{
	const char *kind = words[0];
	struct tc_fifo_qopt fifo = {0};
	int with_fifo = 0, empty_nest = 0;
	if (nwords == 1 && (!strcmp(kind, "noqueue") || !strcmp(kind, "pfifo_fast"))) {
		/* no options */
	} else if (nwords == 1 && !strcmp(kind, "fq_codel")) {
		empty_nest = 1; /* defaults, as tc sends them */
	} else if (!strcmp(kind, "pfifo") && (nwords == 1 || nwords == 3)) {
		if (nwords == 3) {
			char *end;
			unsigned long v = strtoul(words[2], &end, 10);
			if (strcmp(words[1], "limit") || *end || !*words[2] || v > 0xffffffffUL)
				return 0;
			fifo.limit = (__u32)v;
			with_fifo = 1;
		}
	} else {
		return 0;
	}
	/* One flat buffer: header, tcmsg, then the attributes appended. */
	char msg[512] __attribute__((aligned(8)));
	memset(msg, 0, sizeof msg);
	struct nlmsghdr *hdr = (struct nlmsghdr *)msg;
	struct tcmsg *t = NLMSG_DATA(hdr);
	hdr->nlmsg_len = NLMSG_LENGTH(sizeof *t);
	hdr->nlmsg_type = RTM_NEWQDISC;
	hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	hdr->nlmsg_seq = 1;
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	add_attr(hdr, TCA_KIND, kind, (unsigned short)(strlen(kind) + 1));
	if (with_fifo)
		add_attr(hdr, TCA_OPTIONS, &fifo, sizeof fifo);
	else if (empty_nest)
		add_attr(hdr, TCA_OPTIONS | NLA_F_NESTED, NULL, 0);
	*rc = -1;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		tb_errbuf(err, errlen, "netlink socket: %s", strerror(errno));
		return 1;
	}
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n = -1;
	if (send(s, msg, hdr->nlmsg_len, 0) >= 0) {
		do
			n = recv(s, buf, sizeof buf, 0);
		while (n < 0 && errno == EINTR);
	}
	int e = errno;
	close(s);
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	if (n < 0 || !NLMSG_OK(h, (int)n) || h->nlmsg_type != NLMSG_ERROR) {
		tb_errbuf(err, errlen, "RTM_NEWQDISC %s: %s", kind, n < 0 ? strerror(e) : "no answer");
		return 1;
	}
	int code = -((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	if (code) {
		tb_errbuf(err, errlen, "cannot make %s the root qdisc: %s%s", kind, strerror(code),
			  code == ENOENT ? " (this kernel has no such qdisc)" : "");
		return 1;
	}
	*rc = 0;
	return 1;
}

int qdisc_replace(const char *dev, int ifindex, char **words, int nwords, char *err,
		  unsigned errlen)
{
	int rc;
	if (replace_native(ifindex, words, nwords, &rc, err, errlen))
		return rc;
	return replace_with_tc(dev, words, nwords, err, errlen);
}

/* Limit (packets) from TCA_OPTIONS for the kinds whose limit is in packets. */
static long long options_limit(const char *kind, const struct rtattr *opt)
{
	const void *data = RTA_DATA(opt);
	int len = (int)RTA_PAYLOAD(opt);
	if (!strcmp(kind, "pfifo") || !strcmp(kind, "pfifo_head_drop")) {
		if (len >= (int)sizeof(struct tc_fifo_qopt))
			return ((const struct tc_fifo_qopt *)data)->limit;
		return -1;
	}
	if (!strcmp(kind, "fq_codel")) {
		const struct rtattr *a = data;
		for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == TCA_FQ_CODEL_LIMIT && RTA_PAYLOAD(a) >= 4)
				return *(const __u32 *)RTA_DATA(a);
	}
	return -1;
}

static void parse_stats2(const struct rtattr *st, struct qdisc_info *q)
{
	const struct rtattr *a = RTA_DATA(st);
	int len = (int)RTA_PAYLOAD(st);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_STATS_QUEUE && RTA_PAYLOAD(a) >= sizeof(struct gnet_stats_queue)) {
			struct gnet_stats_queue gq;
			memcpy(&gq, RTA_DATA(a), sizeof gq);
			q->drops = gq.drops;
			q->backlog_packets = gq.qlen;
			q->backlog_bytes = gq.backlog;
			q->requeues = gq.requeues;
			q->overlimits = gq.overlimits;
		}
	}
}

/* Fill q from one RTM_NEWQDISC message if it is the root qdisc of ifindex.
 * Returns 1 when it was. */
static int take_message(const struct nlmsghdr *h, int ifindex, struct qdisc_info *q)
{
	const struct tcmsg *t = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *t) || t->tcm_ifindex != ifindex ||
	    t->tcm_parent != TC_H_ROOT)
		return 0;
	const struct rtattr *a = (const struct rtattr *)((const char *)t + NLMSG_ALIGN(sizeof *t));
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *t));
	const struct rtattr *opt = NULL;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			snprintf(q->kind, sizeof q->kind, "%.*s", (int)RTA_PAYLOAD(a),
				 (const char *)RTA_DATA(a));
		else if (a->rta_type == TCA_OPTIONS)
			opt = a;
		else if (a->rta_type == TCA_STATS2)
			parse_stats2(a, q);
	}
	if (opt)
		q->limit = options_limit(q->kind, opt);
	return 1;
}

int qdisc_read(int ifindex, struct qdisc_info *q, char *err, unsigned errlen)
{
	memset(q, 0, sizeof *q);
	q->limit = -1;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		tb_errbuf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	struct {
		struct nlmsghdr h;
		struct tcmsg t;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.t);
	req.h.nlmsg_type = RTM_GETQDISC;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.t.tcm_family = AF_UNSPEC;
	req.t.tcm_ifindex = ifindex;
	if (send(s, &req, req.h.nlmsg_len, 0) < 0) {
		tb_errbuf(err, errlen, "RTM_GETQDISC: %s", strerror(errno));
		close(s);
		return -1;
	}
	char buf[32768] __attribute__((aligned(8)));
	int done = 0, rc = 0;
	while (!done) {
		ssize_t n = recv(s, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tb_errbuf(err, errlen, "RTM_GETQDISC recv: %s", strerror(errno));
			rc = -1;
			break;
		}
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				tb_errbuf(err, errlen, "RTM_GETQDISC: %s", strerror(-e->error));
				rc = -1;
				done = 1;
				break;
			}
			if (h->nlmsg_type == RTM_NEWQDISC)
				take_message(h, ifindex, q);
		}
	}
	close(s);
	return rc;
}
