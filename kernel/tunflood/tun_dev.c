#include "tun_dev.h"

#include "tb/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int tun_create(const char *pattern, int extra_flags, int nonblock, char *name_out, char *err,
	       unsigned errlen)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
	if (fd < 0) {
		tb_errbuf(err, errlen, "open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | extra_flags);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", pattern);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		tb_errbuf(err, errlen, "TUNSETIFF %s: %s", pattern, strerror(errno));
		close(fd);
		return -1;
	}
	/* TUNSETIFF silently drops flags the kernel does not know: read back. */
	struct ifreq got;
	memset(&got, 0, sizeof got);
	if (ioctl(fd, TUNGETIFF, &got) < 0 || (got.ifr_flags & extra_flags) != extra_flags) {
		tb_errbuf(err, errlen, "TUN flags 0x%x not taken by this kernel (got 0x%x)%s",
			  (unsigned)extra_flags, (unsigned)(unsigned short)got.ifr_flags,
			  (extra_flags & TB_IFF_BACKPRESSURE) ? ": no IFF_BACKPRESSURE support" : "");
		close(fd);
		return -1;
	}
	snprintf(name_out, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}

static int ctl_socket(char *err, unsigned errlen)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		tb_errbuf(err, errlen, "socket: %s", strerror(errno));
	return s;
}

int tun_set_txqueuelen(const char *name, int len, char *err, unsigned errlen)
{
	int s = ctl_socket(err, errlen);
	if (s < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_qlen = len;
	int rc = ioctl(s, SIOCSIFTXQLEN, &ifr);
	if (rc < 0)
		tb_errbuf(err, errlen, "SIOCSIFTXQLEN %s %d: %s", name, len, strerror(errno));
	close(s);
	return rc < 0 ? -1 : 0;
}

static int write_proc(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

int tun_configure_up(const char *name, const char *addr, int prefix, char *err, unsigned errlen)
{
	char path[128];
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	/* Absent when the kernel has no IPv6: nothing to silence then. */
	if (access(path, F_OK) == 0 && write_proc(path, "1")) {
		tb_errbuf(err, errlen, "cannot disable IPv6 on %s (%s): %s", name, path,
			  strerror(errno));
		return -1;
	}
	int s = ctl_socket(err, errlen);
	if (s < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		tb_errbuf(err, errlen, "bad IPv4 address %s", addr);
		goto fail;
	}
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
		tb_errbuf(err, errlen, "SIOCSIFADDR %s %s: %s", name, addr, strerror(errno));
		goto fail;
	}
	sin->sin_addr.s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0;
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
		tb_errbuf(err, errlen, "SIOCSIFNETMASK %s /%d: %s", name, prefix, strerror(errno));
		goto fail;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		tb_errbuf(err, errlen, "SIOCGIFFLAGS %s: %s", name, strerror(errno));
		goto fail;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		tb_errbuf(err, errlen, "SIOCSIFFLAGS %s up: %s", name, strerror(errno));
		goto fail;
	}
	close(s);
	return 0;
fail:
	close(s);
	return -1;
}

int tun_read_link(int ifindex, struct link_stats *st, char *err, unsigned errlen)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		tb_errbuf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.i);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = ifindex;
	char buf[16384] __attribute__((aligned(8)));
	ssize_t n = -1;
	if (send(s, &req, req.h.nlmsg_len, 0) >= 0) {
		do
			n = recv(s, buf, sizeof buf, 0);
		while (n < 0 && errno == EINTR);
	}
	int e = errno;
	close(s);
	if (n < 0) {
		tb_errbuf(err, errlen, "RTM_GETLINK: %s", strerror(e));
		return -1;
	}
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (int)n) || h->nlmsg_type != RTM_NEWLINK) {
		int code = NLMSG_OK(h, (int)n) && h->nlmsg_type == NLMSG_ERROR
				   ? -((const struct nlmsgerr *)NLMSG_DATA(h))->error
				   : EPROTO;
		tb_errbuf(err, errlen, "RTM_GETLINK ifindex %d: %s", ifindex, strerror(code));
		return -1;
	}
	int have_stats = 0;
	st->txqueuelen = -1;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)((const char *)ifi + NLMSG_ALIGN(sizeof *ifi));
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof(struct rtnl_link_stats64)) {
			struct rtnl_link_stats64 s64;
			memcpy(&s64, RTA_DATA(a), sizeof s64);
			st->tx_dropped = (long long)s64.tx_dropped;
			st->tx_packets = (long long)s64.tx_packets;
			have_stats = 1;
		} else if (a->rta_type == IFLA_TXQLEN && RTA_PAYLOAD(a) >= 4) {
			uint32_t q;
			memcpy(&q, RTA_DATA(a), 4);
			st->txqueuelen = q;
		}
	}
	if (!have_stats) {
		tb_errbuf(err, errlen, "RTM_GETLINK ifindex %d: no IFLA_STATS64", ifindex);
		return -1;
	}
	return 0;
}

int tun_ifindex(const char *name)
{
	return (int)if_nametoindex(name);
}
