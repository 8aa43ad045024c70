/* tb-tunflood: flood a TUN device with sequence-numbered UDP while a reader
 * drains it (optionally slower than the sender), and account for every lost
 * packet with the kernel's own counters. One JSON object on stdout.
 *
 * Data path: UDP socket -> 198.18.0.2 (routed into the TUN) -> root qdisc ->
 * tun_net_xmit -> tx ring (size = txqueuelen) -> read() on the TUN fd. */
#include "flood_account.h"
#include "flood_opts.h"
#include "json_out.h"
#include "qdisc.h"
#include "seqtrack.h"
#include "snmp.h"
#include "tun_dev.h"

#include "tb/clock.h"
#include "tb/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#define FLOOD_MAGIC 0x54424643u /* "TBFC" */
#define LOCAL_ADDR "198.18.0.1"
#define PEER_ADDR "198.18.0.2"
/* A send() lasting longer than this counts as blocked time. */
#define BLOCKED_THRESHOLD_NS (1 * TB_NS_PER_MSEC)
/* The paced reader may catch up at most this much after an idle spell. */
#define READER_CREDIT_NS (10 * TB_NS_PER_MSEC)

struct counters {
	long long tx_dropped, tx_packets, txqueuelen;
	struct qdisc_info q;
	long long sndbuf_errors, out_datagrams, in_errors, ip_out_discards;
};

struct sender {
	const struct flood_opts *o;
	int fd;
	uint32_t run_id;
	atomic_int stop;
	atomic_int done;
	/* results, read after done */
	long long sent, accepted, eagain, enobufs, enetdown, other;
	int first_other_errno;
	int64_t start_ns, end_ns, in_send_ns, blocked_ns, max_send_ns;
	int timed_out; /* a blocking send hit SO_SNDTIMEO */
};

struct reader {
	const struct flood_opts *o;
	int fd;
	uint32_t run_id;
	pthread_t thread;
	atomic_int stop;
	atomic_int unpaced;        /* drain phase: read as fast as possible */
	atomic_llong last_rx_ns;
	atomic_llong packets;
	struct seqtrack seq;
	long long foreign;
	int64_t lat_sum_ns, lat_max_ns;
	long long lat_n;
	int failed_errno;          /* a read error other than EINTR/EAGAIN */
	int track_failed;
};

static void on_wakeup_signal(int sig) { (void)sig; }

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	uint32_t n = htonl(v);
	memcpy(p, &n, 4);
}

static uint32_t get_be32(const unsigned char *p)
{
	uint32_t n;
	memcpy(&n, p, 4);
	return ntohl(n);
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	const struct flood_opts *o = s->o;
	unsigned char buf[FLOOD_MAX_PAYLOAD];
	memset(buf, 0xa5, sizeof buf);
	put_be32(buf, FLOOD_MAGIC);
	put_be32(buf + 4, s->run_id);
	s->start_ns = tb_mono_ns();
	int64_t end_by = o->duration_ns ? s->start_ns + o->duration_ns : 0;
	for (long long i = 0; !atomic_load(&s->stop); i++) {
		if (o->count && i == o->count)
			break;
		if (o->rate_pps && i % o->burst == 0) {
			/* Bursts start on a fixed grid; a late burst is not made up for
			 * by shortening later gaps beyond the grid. */
			int64_t at = s->start_ns + (int64_t)((double)i * 1e9 / (double)o->rate_pps);
			tb_sleep_until_mono_ns(at);
		}
		int64_t t0 = tb_mono_ns();
		if (end_by && t0 >= end_by)
			break;
		put_be64(buf + 8, (uint64_t)i);
		put_be64(buf + 16, (uint64_t)t0);
		ssize_t n;
		do {
			n = send(s->fd, buf, (size_t)o->size_bytes, 0);
		} while (n < 0 && errno == EINTR);
		int e = errno;
		int64_t dt = tb_mono_ns() - t0;
		s->in_send_ns += dt;
		if (dt >= BLOCKED_THRESHOLD_NS)
			s->blocked_ns += dt;
		if (dt > s->max_send_ns)
			s->max_send_ns = dt;
		s->sent++;
		if (n >= 0) {
			s->accepted++;
			continue;
		}
		if (e == EAGAIN || e == EWOULDBLOCK) {
			s->eagain++;
			if (o->blocking) { /* SO_SNDTIMEO expired: no progress */
				s->timed_out = 1;
				break;
			}
		} else if (e == ENOBUFS) {
			s->enobufs++;
		} else if (e == ENETDOWN) {
			s->enetdown++;
		} else {
			if (!s->other)
				s->first_other_errno = e;
			s->other++;
		}
	}
	s->end_ns = tb_mono_ns();
	atomic_store(&s->done, 1);
	return NULL;
}

/* Parse one packet read from the TUN; returns 1 and the sequence number and
 * send time if it is one of ours. */
static int parse_flood_packet(const unsigned char *p, size_t n, const struct reader *r,
			      uint64_t *seq, int64_t *send_ns)
{
	if (n < 20 || (p[0] >> 4) != 4)
		return 0;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	size_t tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || tot > n || tot < ihl + 8 || p[9] != IPPROTO_UDP)
		return 0;
	struct in_addr dst;
	memcpy(&dst, p + 16, 4);
	if (dst.s_addr != inet_addr(PEER_ADDR))
		return 0;
	const unsigned char *u = p + ihl;
	if (((unsigned)u[2] << 8 | u[3]) != (unsigned)r->o->port)
		return 0;
	const unsigned char *pl = u + 8;
	size_t plen = tot - ihl - 8;
	if (plen < FLOOD_HDR_BYTES || get_be32(pl) != FLOOD_MAGIC || get_be32(pl + 4) != r->run_id)
		return 0;
	*seq = get_be64(pl + 8);
	*send_ns = (int64_t)get_be64(pl + 16);
	return 1;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	const struct flood_opts *o = r->o;
	static unsigned char buf[65536];
	int64_t interval = o->reader_rate_pps ? (int64_t)(1e9 / (double)o->reader_rate_pps) : 0;
	int64_t next = tb_mono_ns();
	while (!atomic_load(&r->stop)) {
		if (interval && !atomic_load(&r->unpaced)) {
			int64_t now = tb_mono_ns();
			if (next < now - READER_CREDIT_NS)
				next = now - READER_CREDIT_NS;
			tb_sleep_until_mono_ns(next);
			next += interval;
		}
		if (o->reader == FLOOD_READER_POLL) {
			struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
			int pr = poll(&pfd, 1, 50);
			if (pr <= 0)
				continue;
		}
		ssize_t n = read(r->fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r->failed_errno = errno;
			break;
		}
		int64_t now = tb_mono_ns();
		uint64_t seq;
		int64_t send_ns;
		if (parse_flood_packet(buf, (size_t)n, r, &seq, &send_ns)) {
			if (seqtrack_add(&r->seq, seq))
				r->track_failed = 1;
			int64_t lat = now - send_ns;
			r->lat_sum_ns += lat;
			r->lat_n++;
			if (lat > r->lat_max_ns)
				r->lat_max_ns = lat;
		} else {
			r->foreign++;
		}
		atomic_store(&r->last_rx_ns, now);
		atomic_fetch_add(&r->packets, 1);
	}
	return NULL;
}

static int read_counters(int ifindex, struct counters *c, char *err,
			 unsigned errlen)
{
	memset(c, 0, sizeof *c);
	struct link_stats ls;
	if (tun_read_link(ifindex, &ls, err, errlen))
		return -1;
	c->tx_dropped = ls.tx_dropped;
	c->tx_packets = ls.tx_packets;
	c->txqueuelen = ls.txqueuelen;
	if (qdisc_read(ifindex, &c->q, err, errlen))
		return -1;
	static char snmp[16384];
	if (snmp_read_file("/proc/net/snmp", snmp, sizeof snmp) ||
	    snmp_lookup(snmp, "Udp", "SndbufErrors", &c->sndbuf_errors) ||
	    snmp_lookup(snmp, "Udp", "OutDatagrams", &c->out_datagrams) ||
	    snmp_lookup(snmp, "Udp", "InErrors", &c->in_errors) ||
	    snmp_lookup(snmp, "Ip", "OutDiscards", &c->ip_out_discards)) {
		tb_errbuf(err, errlen, "cannot read Udp/Ip counters from /proc/net/snmp");
		return -1;
	}
	return 0;
}

static int open_sender_socket(const struct flood_opts *o, long long *sndbuf_out, char *err,
			      unsigned errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | (o->blocking ? 0 : SOCK_NONBLOCK), 0);
	if (fd < 0) {
		tb_errbuf(err, errlen, "UDP socket: %s", strerror(errno));
		return -1;
	}
	if (o->sndbuf_bytes) {
		int v = (int)o->sndbuf_bytes;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v)) {
			tb_errbuf(err, errlen, "SO_SNDBUFFORCE %d: %s", v, strerror(errno));
			goto fail;
		}
	}
	int actual = 0;
	socklen_t len = sizeof actual;
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &actual, &len);
	*sndbuf_out = actual;
	if (o->blocking) {
		struct timeval tv = {.tv_sec = o->send_timeout_ns / TB_NS_PER_SEC,
				     .tv_usec = (o->send_timeout_ns % TB_NS_PER_SEC) / 1000};
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv)) {
			tb_errbuf(err, errlen, "SO_SNDTIMEO: %s", strerror(errno));
			goto fail;
		}
	}
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	inet_pton(AF_INET, PEER_ADDR, &to.sin_addr);
	if (connect(fd, (struct sockaddr *)&to, sizeof to)) {
		tb_errbuf(err, errlen, "connect %s:%lld: %s", PEER_ADDR, o->port, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Time the sender may take before the run is declared hung even though no
 * single send() exceeded the send timeout. Generous: it only guards against
 * a tool that would otherwise never return. */
static int64_t sender_deadline_ns(const struct flood_opts *o)
{
	double secs = 0;
	if (o->duration_ns)
		secs = (double)o->duration_ns / 1e9;
	else {
		if (o->rate_pps)
			secs = (double)o->count / (double)o->rate_pps;
		if (o->reader_rate_pps) {
			double drain = (double)o->count / (double)o->reader_rate_pps;
			if (drain > secs)
				secs = drain;
		}
	}
	return (int64_t)(secs * 3e9) + 4 * o->send_timeout_ns + 10 * TB_NS_PER_SEC;
}

static void counter_pair(struct json_out *j, const char *key, long long before, long long after)
{
	json_obj_begin(j, key);
	json_int(j, "before", before);
	json_int(j, "after", after);
	json_obj_end(j);
}

/* Raw kernel counters, keyed PLACE.NAME (the results store's counters table). */
static void write_counters(struct json_out *j, const struct counters *b, const struct counters *a)
{
	json_obj_begin(j, "counters");
	counter_pair(j, "ring.tx_dropped", b->tx_dropped, a->tx_dropped);
	counter_pair(j, "ring.tx_packets", b->tx_packets, a->tx_packets);
	counter_pair(j, "qdisc.drops", b->q.drops, a->q.drops);
	counter_pair(j, "qdisc.backlog_packets", b->q.backlog_packets, a->q.backlog_packets);
	counter_pair(j, "qdisc.requeues", b->q.requeues, a->q.requeues);
	counter_pair(j, "qdisc.overlimits", b->q.overlimits, a->q.overlimits);
	counter_pair(j, "socket.UdpSndbufErrors", b->sndbuf_errors, a->sndbuf_errors);
	counter_pair(j, "socket.UdpOutDatagrams", b->out_datagrams, a->out_datagrams);
	counter_pair(j, "socket.UdpInErrors", b->in_errors, a->in_errors);
	counter_pair(j, "socket.IpOutDiscards", b->ip_out_discards, a->ip_out_discards);
	json_obj_end(j);
}

static void set_hung(int *hung, char *reason, size_t len, const char *why)
{
	if (!*hung)
		snprintf(reason, len, "%s", why);
	*hung = 1;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-tunflood");
	struct flood_opts o;
	char err[512];
	if (flood_parse_args(argc, argv, &o, err, sizeof err)) {
		fprintf(stderr, "tb-tunflood: %s\n(tb-tunflood --help lists the options)\n", err);
		return 2;
	}
	if (o.help) {
		fputs(flood_usage_text, stdout);
		return 0;
	}

	if (o.new_netns && unshare(CLONE_NEWNET))
		tb_die_errno("unshare(CLONE_NEWNET)");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_wakeup_signal; /* no SA_RESTART: interrupts a blocking read */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	char dev[16];
	int tun = tun_create(o.dev, o.iff_backpressure ? TB_IFF_BACKPRESSURE : 0,
			     o.reader == FLOOD_READER_POLL, dev, err, sizeof err);
	if (tun < 0)
		tb_die("%s", err);
	if (tun_set_txqueuelen(dev, (int)o.ring, err, sizeof err) ||
	    tun_configure_up(dev, LOCAL_ADDR, 24, err, sizeof err))
		tb_die("%s", err);
	int ifindex = tun_ifindex(dev);
	if (o.qdisc[0]) {
		char buf[sizeof o.qdisc];
		char *words[FLOOD_QDISC_MAX_WORDS];
		int nw = flood_split_qdisc(o.qdisc, buf, sizeof buf, words, FLOOD_QDISC_MAX_WORDS);
		if (qdisc_replace(dev, ifindex, words, nw, err, sizeof err))
			tb_die("%s", err);
	}
	long long sndbuf = 0;
	int sock = open_sender_socket(&o, &sndbuf, err, sizeof err);
	if (sock < 0)
		tb_die("%s", err);

	struct counters before, after;
	if (read_counters(ifindex, &before, err, sizeof err))
		tb_die("%s", err);
	long long txqlen = before.txqueuelen;
	long long qlimit = before.q.limit;
	if (!strcmp(before.q.kind, "pfifo_fast"))
		qlimit = txqlen; /* pfifo_fast's per-band limit is txqueuelen */

	uint32_t run_id = (uint32_t)(tb_real_ns() ^ ((int64_t)getpid() << 16));
	struct reader rd;
	memset(&rd, 0, sizeof rd);
	rd.o = &o;
	rd.fd = tun;
	rd.run_id = run_id;
	if (seqtrack_init(&rd.seq, o.count ? (uint64_t)o.count : 1u << 20))
		tb_die("out of memory");
	struct sender sd;
	memset(&sd, 0, sizeof sd);
	sd.o = &o;
	sd.fd = sock;
	sd.run_id = run_id;

	int64_t wall_start = tb_real_ns();
	int64_t t_start = tb_mono_ns();
	atomic_store(&rd.last_rx_ns, t_start);
	pthread_t st;
	if (pthread_create(&rd.thread, NULL, reader_main, &rd) ||
	    pthread_create(&st, NULL, sender_main, &sd))
		tb_die("cannot start threads");

	int hung = 0;
	char hung_reason[160] = "";
	int64_t deadline = t_start + sender_deadline_ns(&o);
	while (!atomic_load(&sd.done) && tb_mono_ns() < deadline)
		tb_sleep_until_mono_ns(tb_mono_ns() + 5 * TB_NS_PER_MSEC);
	int sender_joined = 0;
	if (atomic_load(&sd.done)) {
		pthread_join(st, NULL);
		sender_joined = 1;
		if (sd.timed_out)
			set_hung(&hung, hung_reason, sizeof hung_reason,
				 "a blocking send() made no progress within --send-timeout");
	} else {
		atomic_store(&sd.stop, 1);
		set_hung(&hung, hung_reason, sizeof hung_reason,
			 "the sender did not finish by its deadline");
	}

	/* Drain: the reader now reads as fast as it can, until it has been idle
	 * for drain_idle, the ring is empty and the qdisc holds nothing. A qdisc backlog that never
	 * drains while the reader idles is a queue nobody wakes: hung. */
	atomic_store(&rd.unpaced, 1);
	int64_t drain_start = tb_mono_ns();
	struct qdisc_info qnow = before.q;
	for (;;) {
		int64_t now = tb_mono_ns();
		if (qdisc_read(ifindex, &qnow, err, sizeof err))
			tb_die("%s", err);
		int64_t idle = now - atomic_load(&rd.last_rx_ns);
		/* The TUN polls readable while its ring holds a packet: a reader
		 * that merely did not get the CPU (TCG) must not end the drain. */
		struct pollfd pfd = {.fd = tun, .events = POLLIN};
		int ring_nonempty = poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
		if (idle >= o.drain_idle_ns && now - drain_start >= o.drain_idle_ns &&
		    qnow.backlog_packets == 0 && !ring_nonempty)
			break;
		if (now - drain_start >= o.drain_timeout_ns) {
			char why[160];
			snprintf(why, sizeof why,
				 "not drained after --drain-timeout: qdisc backlog %lld packets, ring %s, reader idle %lld ms",
				 qnow.backlog_packets, ring_nonempty ? "not empty" : "empty",
				 (long long)(idle / TB_NS_PER_MSEC));
			set_hung(&hung, hung_reason, sizeof hung_reason, why);
			break;
		}
		tb_sleep_until_mono_ns(now + 20 * TB_NS_PER_MSEC);
	}
	int64_t drain_end = tb_mono_ns();

	/* Stop the reader; a blocking read() is interrupted by SIGUSR1. */
	atomic_store(&rd.stop, 1);
	int reader_joined = 0;
	for (int i = 0; i < 200 && !reader_joined; i++) {
		pthread_kill(rd.thread, SIGUSR1);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * TB_NS_PER_MSEC;
		if (ts.tv_nsec >= TB_NS_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= TB_NS_PER_SEC;
		}
		reader_joined = pthread_timedjoin_np(rd.thread, NULL, &ts) == 0;
	}
	if (!reader_joined)
		set_hung(&hung, hung_reason, sizeof hung_reason, "the reader thread did not stop");
	if (rd.failed_errno)
		tb_die("read from %s failed: %s", dev, strerror(rd.failed_errno));
	if (rd.track_failed)
		tb_die("out of memory tracking sequence numbers");

	if (read_counters(ifindex, &after, err, sizeof err))
		tb_die("%s", err);

	/* If the sender thread never returned, its counts are still consistent
	 * enough to report (they only grow), but they are a snapshot. */
	struct flood_observed ob = {
		.sent = sd.sent,
		.accepted = sd.accepted,
		.err_eagain = sd.eagain,
		.err_enobufs = sd.enobufs,
		.err_enetdown = sd.enetdown,
		.err_other = sd.other,
		.received = (long long)rd.seq.unique - (long long)seqtrack_beyond(&rd.seq, (uint64_t)sd.sent),
		.d_tx_dropped = after.tx_dropped - before.tx_dropped,
		.d_qdisc_drops = after.q.drops - before.q.drops,
		.d_out_datagrams = after.out_datagrams - before.out_datagrams,
		.qdisc_backlog_end = after.q.backlog_packets,
	};
	struct flood_account ac;
	flood_account_compute(&ob, &ac);

	struct utsname un;
	uname(&un);
	struct json_out j;
	json_begin(&j, stdout);
	json_obj_begin(&j, "start");
	json_str(&j, "tool", "tb-tunflood");
	json_str(&j, "kernel_release", un.release);
	json_int(&j, "timestamp_ns", wall_start);
	json_str(&j, "dev", dev);
	json_obj_begin(&j, "knobs");
	json_int(&j, "ring_packets", o.ring);
	json_str(&j, "qdisc_spec", o.qdisc);
	json_int(&j, "rate_pps", o.rate_pps);
	json_int(&j, "burst_packets", o.burst);
	json_int(&j, "count_packets", o.count);
	json_int(&j, "duration_ns", o.duration_ns);
	json_int(&j, "size_bytes", o.size_bytes);
	json_bool(&j, "blocking", o.blocking);
	json_int(&j, "sndbuf_requested_bytes", o.sndbuf_bytes);
	json_int(&j, "reader_rate_pps", o.reader_rate_pps);
	json_str(&j, "reader", flood_reader_name(o.reader));
	json_int(&j, "port", o.port);
	json_int(&j, "send_timeout_ns", o.send_timeout_ns);
	json_int(&j, "drain_idle_ns", o.drain_idle_ns);
	json_int(&j, "drain_timeout_ns", o.drain_timeout_ns);
	json_bool(&j, "new_netns", o.new_netns);
	json_bool(&j, "iff_backpressure", o.iff_backpressure);
	json_obj_end(&j);
	json_obj_begin(&j, "device");
	json_int(&j, "txqueuelen_packets", txqlen);
	json_str(&j, "qdisc_kind", before.q.kind);
	if (qlimit >= 0)
		json_int(&j, "qdisc_limit_packets", qlimit);
	else
		json_null(&j, "qdisc_limit_packets");
	json_int(&j, "sndbuf_bytes", sndbuf);
	json_obj_end(&j);
	json_obj_end(&j);

	json_obj_begin(&j, "end");
	json_int(&j, "sent", ob.sent);
	json_int(&j, "accepted", ob.accepted);
	json_int(&j, "received", ob.received);
	json_int(&j, "lost", ac.lost);
	json_int(&j, "ring_drops", ac.ring_drops);
	json_int(&j, "dev_drops", ac.dev_drops);
	json_int(&j, "qdisc_drops", ac.qdisc_drops);
	json_int(&j, "socket_drops", ac.socket_drops);
	json_int(&j, "stuck_in_qdisc", ac.stuck);
	json_int(&j, "unexplained", ac.unexplained);
	json_int(&j, "send_errors", ac.send_errors);
	json_int(&j, "send_errors_eagain", ob.err_eagain);
	json_int(&j, "send_errors_enobufs", ob.err_enobufs);
	json_int(&j, "send_errors_enetdown", ob.err_enetdown);
	json_int(&j, "send_errors_other", ob.err_other);
	json_str(&j, "send_errors_other_first", sd.other ? strerror(sd.first_other_errno) : "");
	json_int(&j, "sndbuf_errors", after.sndbuf_errors - before.sndbuf_errors);
	json_int(&j, "udp_in_errors", after.in_errors - before.in_errors);
	json_int(&j, "udp_out_datagrams", ob.d_out_datagrams);
	json_int(&j, "ip_out_discards", after.ip_out_discards - before.ip_out_discards);
	json_int(&j, "xmit_drops_reported", ac.xmit_drops_reported);
	json_int(&j, "tun_tx_packets", after.tx_packets - before.tx_packets);
	json_int(&j, "qdisc_requeues", after.q.requeues - before.q.requeues);
	json_int(&j, "qdisc_overlimits", after.q.overlimits - before.q.overlimits);
	json_int(&j, "duplicates", (long long)rd.seq.duplicates);
	json_int(&j, "reordered", (long long)rd.seq.reordered);
	json_int(&j, "gaps", (long long)seqtrack_gaps(&rd.seq, (uint64_t)sd.sent));
	json_int(&j, "foreign", rd.foreign + (long long)seqtrack_beyond(&rd.seq, (uint64_t)sd.sent));
	json_int(&j, "in_send_ns", sd.in_send_ns);
	json_int(&j, "blocked_ns", sd.blocked_ns);
	json_int(&j, "max_send_ns", sd.max_send_ns);
	json_int(&j, "send_duration_ns", (sender_joined ? sd.end_ns : drain_start) - sd.start_ns);
	json_int(&j, "drain_ns", drain_end - drain_start);
	json_int(&j, "duration_ns", drain_end - t_start);
	if (rd.lat_n)
		json_int(&j, "latency_mean_ns", rd.lat_sum_ns / rd.lat_n);
	else
		json_null(&j, "latency_mean_ns");
	json_int(&j, "latency_max_ns", rd.lat_max_ns);
	json_int(&j, "hung", hung);
	json_str(&j, "hung_reason", hung_reason);
	write_counters(&j, &before, &after);
	json_obj_end(&j);
	json_end(&j);

	/* A sender stuck in send() cannot be joined; leave without cleanup. */
	if (!sender_joined || !reader_joined)
		_exit(0);
	seqtrack_free(&rd.seq);
	close(sock);
	close(tun);
	return 0;
}
