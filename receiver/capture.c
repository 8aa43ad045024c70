/* See capture.h. */
#include "capture.h"

#include "tb/clock.h"
#include "tb/err.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

static unsigned rd16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

int tb_cap_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
	case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

/* IP version from ethertype / family, or 0 when not IP. */
static int l3_from_ethertype(unsigned et)
{
	return et == 0x0800 ? 4 : et == 0x86dd ? 6 : 0;
}

static int udp(const uint8_t *p, size_t n, int port, const uint8_t **payload, size_t *len)
{
	if (n < 8)
		return TB_CAP_TRUNCATED;
	unsigned sport = rd16(p), dport = rd16(p + 2), ulen = rd16(p + 4);
	if (ulen < 8)
		return TB_CAP_TRUNCATED;
	if (port && (int)sport != port && (int)dport != port)
		return TB_CAP_OTHER_PORT;
	if (ulen > n)
		return TB_CAP_TRUNCATED;  /* cut by the snapshot length */
	*payload = p + 8;
	*len = ulen - 8;
	return TB_CAP_UDP;
}

static int ipv4(const uint8_t *p, size_t n, int port, const uint8_t **payload, size_t *len)
{
	if (n < 20 || p[0] >> 4 != 4)
		return TB_CAP_TRUNCATED;
	size_t ihl = (size_t)(p[0] & 15) * 4, total = rd16(p + 2);
	if (ihl < 20 || total < ihl || ihl > n)
		return TB_CAP_TRUNCATED;
	if (p[9] != 17)
		return TB_CAP_NOT_UDP;
	if (rd16(p + 6) & 0x3fff)   /* more fragments, or a fragment offset */
		return TB_CAP_FRAGMENT;
	if (total < n)
		n = total;          /* Ethernet padding after the datagram */
	return udp(p + ihl, n - ihl, port, payload, len);
}

static int ipv6(const uint8_t *p, size_t n, int port, const uint8_t **payload, size_t *len)
{
	if (n < 40 || p[0] >> 4 != 6)
		return TB_CAP_TRUNCATED;
	size_t plen = rd16(p + 4);
	if (40 + plen < n)
		n = 40 + plen;
	unsigned next = p[6];
	size_t off = 40;
	for (int hops = 0; hops < 8; hops++) {
		if (next == 17)
			return udp(p + off, n - off, port, payload, len);
		if (next == 44)
			return TB_CAP_FRAGMENT;
		if (next != 0 && next != 43 && next != 60)
			return TB_CAP_NOT_UDP;
		if (off + 8 > n)
			return TB_CAP_TRUNCATED;
		next = p[off];
		off += 8 + 8 * (size_t)p[off + 1];
		if (off > n)
			return TB_CAP_TRUNCATED;
	}
	return TB_CAP_NOT_UDP;
}

int tb_cap_udp_payload(int dlt, const uint8_t *f, size_t n, int port, const uint8_t **payload,
		       size_t *len)
{
	size_t off;
	int ver;
	switch (dlt) {
	case DLT_EN10MB: {
		if (n < 14)
			return TB_CAP_TRUNCATED;
		unsigned et = rd16(f + 12);
		off = 14;
		while (et == 0x8100 || et == 0x88a8) {  /* VLAN tags */
			if (off + 4 > n)
				return TB_CAP_TRUNCATED;
			et = rd16(f + off + 2);
			off += 4;
		}
		ver = l3_from_ethertype(et);
		break;
	}
	case DLT_LINUX_SLL:
		if (n < 16)
			return TB_CAP_TRUNCATED;
		ver = l3_from_ethertype(rd16(f + 14));
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return TB_CAP_TRUNCATED;
		ver = l3_from_ethertype(rd16(f));
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		if (n < 4)
			return TB_CAP_TRUNCATED;
		/* Address family in host (DLT_NULL) or network (DLT_LOOP) order;
		 * IPv6's value differs by OS, so look at the IP version instead. */
		off = 4;
		ver = n > 4 ? f[4] >> 4 : 0;
		break;
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		off = 0;
		ver = n ? f[0] >> 4 : 0;
		break;
	default:
		return TB_CAP_NOT_UDP;
	}
	if (ver == 4)
		return ipv4(f + off, n - off, port, payload, len);
	if (ver == 6)
		return ipv6(f + off, n - off, port, payload, len);
	return TB_CAP_NOT_UDP;
}

struct loop {
	int dlt, port;
	tb_cap_cb cb;
	void *ctx;
	struct tb_cap_stats *st;
	int64_t last_ts;
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct loop *l = (struct loop *)user;
	l->st->frames++;
	/* Timestamps are nanoseconds: the handles are opened with nanosecond precision. */
	int64_t ts = (int64_t)h->ts.tv_sec * TB_NS_PER_SEC + h->ts.tv_usec;
	l->last_ts = ts;
	const uint8_t *p;
	size_t n;
	int r = tb_cap_udp_payload(l->dlt, bytes, h->caplen, l->port, &p, &n);
	l->st->by_result[r]++;
	if (r == TB_CAP_UDP)
		l->cb(l->ctx, p, n, ts);
}

int tb_cap_read_file(const char *path, int port, tb_cap_cb cb, tb_cap_tick_cb tick, void *ctx,
		     struct tb_cap_stats *st, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!pc) {
		tb_errbuf(err, errlen, "cannot read capture %s: %s", path, perr);
		return -1;
	}
	struct loop l = { pcap_datalink(pc), port, cb, ctx, st, -1 };
	if (!tb_cap_dlt_supported(l.dlt)) {
		tb_errbuf(err, errlen, "%s: link type %s is not supported (Ethernet, Linux cooked, raw IP, loopback are)",
			  path, pcap_datalink_val_to_name(l.dlt) ? pcap_datalink_val_to_name(l.dlt) : "?");
		pcap_close(pc);
		return -1;
	}
	int rc = 0;
	int64_t next_tick = -1;
	for (;;) {
		int n = pcap_dispatch(pc, 256, on_frame, (u_char *)&l);
		if (n < 0) {
			if (n == PCAP_ERROR) {
				tb_errbuf(err, errlen, "%s: %s", path, pcap_geterr(pc));
				rc = -1;
			}
			break;
		}
		if (tick && l.last_ts >= 0 && l.last_ts >= next_tick) {
			if (tick(ctx, l.last_ts))
				break;
			next_tick = l.last_ts + 100 * TB_NS_PER_MSEC;
		}
		if (n == 0)
			break;
	}
	pcap_close(pc);
	return rc;
}

int tb_cap_live(const char *iface, int port, tb_cap_cb cb, tb_cap_tick_cb tick, void *ctx,
		volatile sig_atomic_t *stop, struct tb_cap_stats *st, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_create(iface, perr);
	if (!pc) {
		tb_errbuf(err, errlen, "cannot capture on %s: %s", iface, perr);
		return -1;
	}
	pcap_set_snaplen(pc, 65535);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_buffer_size(pc, 16 << 20);
	pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(pc);
	if (rc < 0) {
		tb_errbuf(err, errlen, "cannot capture on %s: %s", iface, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	struct loop l = { pcap_datalink(pc), port, cb, ctx, st, -1 };
	if (!tb_cap_dlt_supported(l.dlt)) {
		tb_errbuf(err, errlen, "%s: link type %d is not supported", iface, l.dlt);
		pcap_close(pc);
		return -1;
	}
	char filter[64];
	struct bpf_program prog;
	snprintf(filter, sizeof filter, port ? "udp port %d or (ip[6:2] & 0x1fff != 0)" : "udp", port);
	if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		pcap_setfilter(pc, &prog);
		pcap_freecode(&prog);
	}
	pcap_setnonblock(pc, 1, perr);
	int fd = pcap_get_selectable_fd(pc);
	rc = 0;
	while (!*stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, 100);
		if (pr < 0 && errno != EINTR) {
			tb_errbuf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (pr > 0 && pcap_dispatch(pc, -1, on_frame, (u_char *)&l) == PCAP_ERROR) {
			tb_errbuf(err, errlen, "%s: %s", iface, pcap_geterr(pc));
			rc = -1;
			break;
		}
		if (tick && tick(ctx, tb_real_ns()))
			break;
	}
	struct pcap_stat ps;
	if (pcap_stats(pc, &ps) == 0)
		st->kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	pcap_close(pc);
	return rc;
}
