/* tb-tunflood: flood a TUN device with sequence-numbered UDP while a reader
 * drains it (optionally slower than the sender), and account for every lost
 * packet with the kernel's own counters. One JSON object on stdout.
 *
 * Data path: UDP socket -> 198.18.0.2 (routed into the TUN) -> root qdisc ->
 * tun_net_xmit -> tx ring (size = txqueuelen) -> read() on the TUN fd.
 *
 * This file sets the scene (namespace, device, qdisc, socket), runs the two
 * threads (flood_threads.c), drains, and reports (flood_report.c). */
#include "flood_account.h"
#include "flood_counters.h"
#include "flood_leftover.h"
#include "flood_opts.h"
#include "flood_packet.h"
#include "flood_report.h"
#include "flood_threads.h"
#include "qdisc.h"
#include "seqtrack.h"
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
#include <unistd.h>

static void on_wakeup_signal(int sig) { (void)sig; }

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
	inet_pton(AF_INET, FLOOD_PEER_ADDR, &to.sin_addr);
	if (connect(fd, (struct sockaddr *)&to, sizeof to)) {
		tb_errbuf(err, errlen, "connect %s:%lld: %s", FLOOD_PEER_ADDR, o->port, strerror(errno));
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
	    tun_configure_up(dev, FLOOD_LOCAL_ADDR, 24, err, sizeof err))
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

	struct flood_counters before, after;
	if (flood_read_counters(ifindex, &before, err, sizeof err))
		tb_die("%s", err);

	uint32_t run_id = (uint32_t)(tb_real_ns() ^ ((int64_t)getpid() << 16));
	struct flood_reader rd;
	memset(&rd, 0, sizeof rd);
	rd.o = &o;
	rd.fd = tun;
	rd.run_id = run_id;
	if (seqtrack_init(&rd.seq, o.count ? (uint64_t)o.count : 1u << 20))
		tb_die("out of memory");
	struct flood_sender sd;
	memset(&sd, 0, sizeof sd);
	sd.o = &o;
	sd.fd = sock;
	sd.run_id = run_id;

	int64_t wall_start = tb_real_ns();
	int64_t t_start = tb_mono_ns();
	atomic_store(&rd.last_rx_ns, t_start);
	pthread_t st;
	if (pthread_create(&rd.thread, NULL, flood_reader_main, &rd) ||
	    pthread_create(&st, NULL, flood_sender_main, &sd))
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

	/* The end counters, and what is still in the ring (no reader takes it
	 * now). Repeat until a read-back right after the counters finds nothing:
	 * then the ring was empty at that snapshot, and whatever the queue moves
	 * into the ring later was in the qdisc's backlog then; no packet is in
	 * both counts or in neither. */
	struct flood_leftover left;
	if (flood_leftover_init(&left, (uint64_t)sd.sent))
		tb_die("out of memory tracking sequence numbers");
	for (int pass = 0;; pass++) {
		if (flood_read_counters(ifindex, &after, err, sizeof err))
			tb_die("%s", err);
		/* A reader that did not stop may still be in read(): leave the ring to it. */
		long long found = reader_joined ? flood_leftover_read(&left, tun, (unsigned)o.port,
								      run_id, &rd.seq, (uint64_t)sd.sent)
						: 0;
		if (left.failed_errno)
			tb_die("reading back what was left in %s failed: %s", dev,
			       strerror(left.failed_errno));
		if (!found || pass == 20)
			break; /* 20: a sender still pushing; the account shows it */
	}
	rd.foreign += left.foreign;

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
		.ring_left_end = (long long)left.late.unique,
	};
	struct flood_account ac;
	flood_account_compute(&ob, &ac);

	struct flood_report rep = {
		.o = &o,
		.dev = dev,
		.wall_start_ns = wall_start,
		.sndbuf_bytes = sndbuf,
		.before = &before,
		.after = &after,
		.sd = &sd,
		.rd = &rd,
		.ob = &ob,
		.ac = &ac,
		.send_duration_ns = (sender_joined ? sd.end_ns : drain_start) - sd.start_ns,
		.drain_ns = drain_end - drain_start,
		.duration_ns = drain_end - t_start,
		.hung = hung,
		.hung_reason = hung_reason,
	};
	flood_report_json(stdout, &rep);

	/* A sender stuck in send() cannot be joined; leave without cleanup. */
	if (!sender_joined || !reader_joined)
		_exit(0);
	seqtrack_free(&rd.seq);
	flood_leftover_free(&left);
	close(sock);
	close(tun);
	return 0;
}
