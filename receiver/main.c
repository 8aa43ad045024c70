/* tb-recv: receive (or read from a capture) an RTP/H.264 stream, reassemble
 * and decode its frames, and log per-frame loss, latency and decodability to
 * the results store. See usage() and reasm.h. */
#include "capture.h"
#include "clock_echo.h"
#include "decode.h"
#include "png_dump.h"
#include "psnr.h"
#include "reasm.h"
#include "recv_store.h"
#include "recv_summary.h"
#include "verdict.h"

#include "tb/clock.h"
#include "tb/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-recv (--listen [ADDR]:PORT | --pcap FILE | --iface IF) [options]\n"
		"\n"
		"Receives RTP/H.264 (RFC 6184, with or without the testbed's RFC 8285\n"
		"extension), reassembles frames, decodes them with libavcodec and records\n"
		"per-frame loss, latency and decodability.\n"
		"\n"
		"input (one of):\n"
		"  --listen [ADDR]:PORT  UDP socket; ADDR is IPv4, [IPv6] or empty (all, v4+v6)\n"
		"  --pcap FILE           read a capture file (arrival = capture timestamps)\n"
		"  --iface IF            capture live on an interface (needs root)\n"
		"  --port N              UDP port of the stream in a capture (default: any)\n"
		"  --ssrc N              only this SSRC (decimal or 0x hex; default: any)\n"
		"  --stream K            number this receiver's first stream K, not 0 (frames_recv,\n"
		"                        packets, PNG names): one receiver per camera K of a run,\n"
		"                        matching tb-send --stream K; a later stream (a new SSRC,\n"
		"                        a restarted sender) is K+1, so give each such receiver\n"
		"                        its camera's --ssrc\n"
		"  --pt N                only this RTP payload type (default: any)\n"
		"results:\n"
		"  --db PATH             SQLite results store (frames_recv rows)\n"
		"  --run-id N            existing runs row to file rows under (default: create one)\n"
		"  --packets             also write one packets row per packet\n"
		"  --batch N             rows per transaction (default 2000)\n"
		"ending (default: SIGINT/SIGTERM, end of a capture file):\n"
		"  --duration SEC        stop after SEC seconds\n"
		"  --frames N            stop after N frames are finished\n"
		"  --idle SEC            stop when nothing arrived for SEC seconds after the\n"
		"                        first packet (default 0 = never)\n"
		"  --sender-summary FILE stop once every frame tb-send reports in FILE (its\n"
		"                        summary line, frames=N, written when it exits) is\n"
		"                        finished; --idle still ends a run whose last frames\n"
		"                        never arrive\n"
		"analysis:\n"
		"  --hold-ms MS          how long an incomplete frame waits for late packets (500)\n"
		"  --max-frames N        frames in flight at most (256)\n"
		"  --max-buffer-mb MB    payload bytes buffered at most (64)\n"
		"  --no-decode           skip libavcodec decoding (reference chain rule only)\n"
		"  --dump-png DIR        write the decoded pictures of --dump-frames as PNG\n"
		"                        (DIR/frame-sSTREAM-FRAME.png)\n"
		"  --dump-frames LIST    frame numbers, e.g. 0,30-35,90\n"
		"  --psnr CLIP           luma PSNR of each decoded frame against the clip the\n"
		"                        sender replays (frame N = clip frame N mod length;\n"
		"                        needs the extension; %.0f dB = identical)\n"
		"  --rcvbuf BYTES        socket receive buffer (default 8388608)\n"
		"clocks:\n"
		"  --clock shared|echo   shared (default): sender and receiver read one clock\n"
		"                        (one host, or the VM); echo: two hosts -- answer the\n"
		"                        sender with timestamp echoes (needs --listen) and\n"
		"                        correct the latencies by the offset tb-send estimates\n"
		"  --test-clock-offset-ns N  TEST ONLY: add N ns to every receiver timestamp,\n"
		"                        as if this host's clock were N ns ahead\n"
		"output:\n"
		"  --status              one-line live status on stderr (default when a tty)\n"
		"  --quiet               no status line, no summary\n"
		"\n"
		"The summary on stdout has stable lines: 'frames total N complete N\n"
		"decodable N ...', 'packets expected N received N lost N loss_pct X ...',\n"
		"'latency_ms p50 X p95 X p99 X max X frames N' (or 'latency_ms unknown').\n",
		TB_PSNR_IDENTICAL);
}

/* Frames wait here for the decoder's verdict (pictures can come out a few
 * access units later when the stream has B frames), then go to the store. */
#define PENDING_MAX 32      /* > the 16-picture H.264 reorder limit */

struct pending {
	struct tb_frame_rec rec;  /* annexb not kept */
	int64_t dec_id;           /* -1: not decoded */
	int verdict;              /* -2 waiting, -1 not decoded, 0/1 decoder verdict */
	double psnr;              /* dB, -1 unknown */
};

struct app {
	struct tb_reasm *reasm;
	struct tb_decoder *dec;
	struct tb_psnr_ref *psnr;
	const char *dump_dir;     /* --dump-png */
	struct tb_frame_set dump_set;
	uint64_t dumped;
	struct tb_recv_store *store;
	struct tb_recv_stats stats;
	int packets_log, status, quiet;
	long long frame_limit;
	const char *sender_summary;   /* --sender-summary: read until it names the frames */
	long long sender_frames;      /* frames=N from it, 0 until then */
	int64_t next_summary_mono;
	int64_t deadline_mono, idle_ns, last_rx_mono, start_mono, next_status_mono;
	uint32_t cur_stream;
	uint32_t stream_base;       /* --stream: added to the reassembler's stream numbers */
	int store_failed;
	struct tb_recv_counters c;
	struct tb_verdict verdict;  /* the decoder's rejections along the reference chain */
	int clock_echo;             /* --clock echo */
	struct tb_clock_echo echo;
	struct pending q[PENDING_MAX];
	size_t q_head, q_len;
	int64_t first_rx_ns, last_rx_ns;  /* arrival times of the first and last datagram */
	uint64_t rx;
};

/* --stream: the highest first stream number (tb-send --stream alike). */
#define TB_RECV_MAX_STREAM 255

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

/* The final verdict of a frame and its row. */
static void finish_frame(struct app *a, const struct pending *p)
{
	const struct tb_frame_rec *f = &p->rec;
	int dec_ok = p->verdict < 0 ? -1 : p->verdict;
	if (dec_ok >= 0) {
		a->stats.decoded++;
		if (f->decodable && !dec_ok)
			a->stats.decoder_flagged++;
		if (!f->decodable && dec_ok)
			a->stats.decoder_concealed++;
	}
	int decodable = tb_verdict_frame(&a->verdict, f, dec_ok);
	a->stats.frames_decodable += (uint64_t)decodable;
	if (f->has_ext && f->pkts_received > 0)
		tb_recv_stats_add_latency(&a->stats, f->latency_ns);
	if (p->psnr >= 0) {
		a->stats.psnr_sum += p->psnr;
		a->stats.psnr_frames++;
		if (a->stats.psnr_frames == 1 || p->psnr < a->stats.psnr_min)
			a->stats.psnr_min = p->psnr;
	}
	if (a->store && !a->store_failed && tb_recv_store_frame(a->store, f, dec_ok, decodable, p->psnr)) {
		tb_warn("writing frames_recv failed; no more rows will be written");
		a->store_failed = 1;
	}
}

/* Write out frames from the head of the queue that have their verdict (or
 * all of them: a picture that has not come out by now never will). */
static void pop_pending(struct app *a, int all)
{
	while (a->q_len) {
		struct pending *p = &a->q[a->q_head];
		if (p->verdict == -2) {
			if (!all && a->q_len < PENDING_MAX)
				break;
			p->verdict = TB_DEC_ERROR;  /* no picture came out for it */
		}
		finish_frame(a, p);
		a->q_head = (a->q_head + 1) % PENDING_MAX;
		a->q_len--;
	}
}

static void on_picture(void *ctx, int64_t id, int ok, const struct tb_decoded_pic *pic)
{
	struct app *a = ctx;
	for (size_t i = 0; i < a->q_len; i++) {
		struct pending *p = &a->q[(a->q_head + i) % PENDING_MAX];
		if (p->dec_id == id) {
			p->verdict = ok;
			if (a->psnr && p->rec.has_ext)
				p->psnr = tb_psnr_frame(a->psnr, p->rec.frame_no, pic);
			if (a->dump_dir && tb_frame_set_has(&a->dump_set, p->rec.frame_no)) {
				char path[4096], err[256];
				snprintf(path, sizeof path, "%s/frame-s%u-%06lld.png", a->dump_dir,
					 (unsigned)p->rec.stream, (long long)p->rec.frame_no);
				if (tb_png_write(path, pic, err, sizeof err))
					tb_warn("--dump-png: %s", err);
				else
					a->dumped++;
			}
			return;
		}
	}
}

static void on_frame(void *ctx, const struct tb_frame_rec *f)
{
	struct app *a = ctx;
	if (a->dec && f->stream != a->cur_stream) {
		tb_decoder_drain(a->dec);   /* the old stream's last pictures */
		a->cur_stream = f->stream;
	}
	if (a->q_len == PENDING_MAX)
		pop_pending(a, 0);
	struct pending *p = &a->q[(a->q_head + a->q_len) % PENDING_MAX];
	a->q_len++;
	p->rec = *f;
	p->rec.stream += a->stream_base;
	p->rec.annexb = NULL;
	p->rec.annexb_len = 0;
	p->dec_id = -1;
	p->verdict = -1;
	p->psnr = -1;
	if (a->dec && f->annexb_len) {
		p->verdict = -2;
		/* The id is known before submitting: its picture may come out
		 * during the call. */
		p->dec_id = tb_decode_next_id(a->dec);
		tb_decode_submit(a->dec, f->annexb, f->annexb_len);
	}
	pop_pending(a, 0);
}

static void on_packet(void *ctx, const struct tb_pkt_rec *p)
{
	struct app *a = ctx;
	struct tb_pkt_rec row = *p;
	row.stream += a->stream_base;
	if (a->store && !a->store_failed && tb_recv_store_packet(a->store, &row)) {
		tb_warn("writing packets failed; no more rows will be written");
		a->store_failed = 1;
	}
}

static void show_status(struct app *a, int final)
{
	if (!a->status)
		return;
	tb_reasm_counters(a->reasm, &a->c);
	char line[256];
	tb_recv_format_status(line, sizeof line, (double)(tb_mono_ns() - a->start_mono) / 1e9, &a->c,
			      &a->stats);
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
}

/* The sender's frame count from its summary line (" frames=N"), once the
 * line is whole; 0 while the file is missing, empty or half written. */
static long long sender_frames_from(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *k = strstr(buf, " frames=");
	if (!k || !strchr(k, '\n'))
		return 0;
	char *end;
	long long v = strtoll(k + 8, &end, 10);
	return end > k + 8 && v > 0 ? v : 0;
}

/* Periodic work; returns nonzero when the run should end. */
static int periodic(struct app *a, int64_t now_real)
{
	int64_t mono = tb_mono_ns();
	/* Every 50 ms at most: periodic() runs once per datagram batch too. */
	if (a->sender_summary && !a->sender_frames && mono >= a->next_summary_mono) {
		a->next_summary_mono = mono + 50 * TB_NS_PER_MSEC;
		a->sender_frames = sender_frames_from(a->sender_summary);
	}
	tb_reasm_tick(a->reasm, now_real);
	if (mono >= a->next_status_mono) {
		show_status(a, 0);
		a->next_status_mono = mono + TB_NS_PER_SEC;
		/* Commit at least once a second: readers see progress, and a
		 * killed receiver loses at most a second of rows. */
		if (a->store && !a->store_failed && tb_recv_store_sync(a->store)) {
			tb_warn("commit failed; no more rows will be written");
			a->store_failed = 1;
		}
	}
	tb_reasm_counters(a->reasm, &a->c);
	if (a->frame_limit > 0 && (long long)a->c.frames >= a->frame_limit)
		return 1;
	if (a->sender_frames > 0 && (long long)a->c.frames >= a->sender_frames) {
		if (!a->quiet)
			fprintf(stderr, "tb-recv: all %lld frames the sender reported are finished\n", a->sender_frames);
		return 1;
	}
	if (a->deadline_mono > 0 && mono >= a->deadline_mono)
		return 1;
	if (a->idle_ns > 0 && a->last_rx_mono > 0 && mono - a->last_rx_mono >= a->idle_ns)
		return 1;
	return stop_flag;
}

static void on_datagram(void *ctx, const uint8_t *p, size_t n, int64_t ts)
{
	struct app *a = ctx;
	a->last_rx_mono = tb_mono_ns();
	if (!a->rx++)
		a->first_rx_ns = ts;
	a->last_rx_ns = ts;
	tb_reasm_packet(a->reasm, p, n, ts);
}

static int cap_tick(void *ctx, int64_t now) { return periodic(ctx, now); }

/* "[ADDR]:PORT", "ADDR:PORT" or ":PORT". */
static int open_socket(const char *spec, int rcvbuf, int clock_echo)
{
	char host[256] = "";
	const char *port;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host)
			tb_usage_die("--listen: bad address '%s' (use [IPv6]:PORT)", spec);
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		port = close + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof host)
			tb_usage_die("--listen: bad address '%s' (use ADDR:PORT or :PORT)", spec);
		memcpy(host, spec, (size_t)(colon - spec));
		port = colon + 1;
	}
	long long pn;
	if (tb_parse_i64(port, 1, 65535, &pn))
		tb_usage_die("--listen: bad port in '%s'", spec);
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_family = host[0] ? AF_UNSPEC : AF_INET6, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *ai;
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc)
		tb_usage_die("--listen: bad address '%s': %s", spec, gai_strerror(rc));
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die_errno("socket");
	int zero = 0, one = 1;
	if (ai->ai_family == AF_INET6 && !host[0])
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Arrival time = the kernel's receive timestamp (CLOCK_REALTIME), not
	 * when this process got around to reading the packet. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (clock_echo && tb_clock_echo_socket(fd, ai->ai_family))
		tb_die_errno("--clock echo: IP_PKTINFO");
	if (bind(fd, ai->ai_addr, ai->ai_addrlen))
		tb_die_errno("cannot listen on %s", spec);
	freeaddrinfo(ai);
	return fd;
}

enum { BATCH = 64, DGRAM_MAX = 65536 };

static void socket_loop(struct app *a, int fd)
{
	static uint8_t bufs[BATCH][DGRAM_MAX];
	/* Room for the timestamp and the destination address (--clock echo). */
	static char ctrl[BATCH][CMSG_SPACE(sizeof(struct timespec)) + 2 * CMSG_SPACE(40)];
	static struct sockaddr_storage from[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, 50);
		if (pr < 0 && errno != EINTR)
			tb_die_errno("poll");
		while (pr > 0) {
			for (int i = 0; i < BATCH; i++) {
				iov[i] = (struct iovec){ bufs[i], DGRAM_MAX };
				msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof from[i],
								   .msg_iov = &iov[i], .msg_iovlen = 1,
								   .msg_control = ctrl[i],
								   .msg_controllen = sizeof ctrl[i] };
			}
			int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
			if (n < 0) {
				if (errno != EAGAIN && errno != EINTR)
					tb_die_errno("recvmmsg");
				break;
			}
			int64_t now = tb_real_ns() + a->echo.test_offset_ns;
			for (int i = 0; i < n; i++) {
				int64_t ts = now;
				for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm;
				     cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm))
					if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
						struct timespec t;
						memcpy(&t, CMSG_DATA(cm), sizeof t);
						ts = tb_timespec_to_ns(&t) + a->echo.test_offset_ns;
					}
				if (a->clock_echo)
					tb_clock_echo_datagram(&a->echo, fd, &msgs[i].msg_hdr, bufs[i], msgs[i].msg_len, ts);
				/* DGRAM_MAX exceeds any UDP payload: nothing is cut. */
				on_datagram(a, bufs[i], msgs[i].msg_len, ts);
			}
			if (n < BATCH)
				break;
		}
		if (periodic(a, tb_real_ns() + a->echo.test_offset_ns))
			break;
	}
}

int main(int argc, char **argv)
{
	tb_set_progname(argv[0]);
	enum { O_LISTEN = 256, O_PCAP, O_IFACE, O_PORT, O_DB, O_RUN, O_PACKETS, O_BATCH, O_DURATION,
	       O_FRAMES, O_IDLE, O_HOLD, O_MAXF, O_MAXB, O_NODEC, O_PSNR, O_DUMP, O_DUMPF, O_SSRC, O_PT, O_RCVBUF, O_STATUS, O_QUIET, O_HELP,
	       O_CLOCK, O_TEST_OFFSET, O_STREAM, O_SENDER_SUMMARY };
	static const struct option opts[] = {
		{ "listen", 1, 0, O_LISTEN }, { "pcap", 1, 0, O_PCAP }, { "iface", 1, 0, O_IFACE },
		{ "port", 1, 0, O_PORT }, { "db", 1, 0, O_DB }, { "run-id", 1, 0, O_RUN },
		{ "packets", 0, 0, O_PACKETS }, { "batch", 1, 0, O_BATCH },
		{ "duration", 1, 0, O_DURATION }, { "frames", 1, 0, O_FRAMES }, { "idle", 1, 0, O_IDLE },
		{ "hold-ms", 1, 0, O_HOLD }, { "max-frames", 1, 0, O_MAXF },
		{ "max-buffer-mb", 1, 0, O_MAXB }, { "no-decode", 0, 0, O_NODEC }, { "psnr", 1, 0, O_PSNR },
		{ "dump-png", 1, 0, O_DUMP }, { "dump-frames", 1, 0, O_DUMPF },
		{ "ssrc", 1, 0, O_SSRC }, { "pt", 1, 0, O_PT },
		{ "rcvbuf", 1, 0, O_RCVBUF }, { "status", 0, 0, O_STATUS }, { "quiet", 0, 0, O_QUIET },
		{ "help", 0, 0, O_HELP }, { "clock", 1, 0, O_CLOCK }, { "test-clock-offset-ns", 1, 0, O_TEST_OFFSET },
		{ "stream", 1, 0, O_STREAM }, { "sender-summary", 1, 0, O_SENDER_SUMMARY },
		{ 0, 0, 0, 0 },
	};
	const char *listen = NULL, *pcap_file = NULL, *iface = NULL, *db = NULL, *psnr_clip = NULL,
		   *dump_dir = NULL, *dump_frames = NULL, *sender_summary = NULL;
	long long port = 0, run_id = 0, batch = 2000, frames = 0, hold_ms = 500, maxf = 256, maxb = 64,
		  rcvbuf = 8 << 20, ssrc = -1, pt = -1, stream_base = 0;
	double duration = 0, idle = 0;
	int packets = 0, decode = 1, status = -1, quiet = 0, clock_echo = 0, c;
	const char *clock = "shared";
	long long test_offset = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN: listen = optarg; break;
		case O_PCAP: pcap_file = optarg; break;
		case O_IFACE: iface = optarg; break;
		case O_PORT:
			if (tb_parse_i64(optarg, 1, 65535, &port))
				tb_usage_die("--port: '%s' is not a port number (1-65535)", optarg);
			break;
		case O_DB: db = optarg; break;
		case O_RUN:
			if (tb_parse_i64(optarg, 1, INT64_MAX, &run_id))
				tb_usage_die("--run-id: '%s' is not a positive integer", optarg);
			break;
		case O_PACKETS: packets = 1; break;
		case O_BATCH:
			if (tb_parse_i64(optarg, 1, 1000000, &batch))
				tb_usage_die("--batch: '%s' is not in 1..1000000", optarg);
			break;
		case O_DURATION:
			if (tb_parse_double(optarg, 0.001, 1e7, &duration))
				tb_usage_die("--duration: '%s' is not a positive number of seconds", optarg);
			break;
		case O_FRAMES:
			if (tb_parse_i64(optarg, 1, INT64_MAX, &frames))
				tb_usage_die("--frames: '%s' is not a positive integer", optarg);
			break;
		case O_SENDER_SUMMARY:
			sender_summary = optarg;
			break;
		case O_IDLE:
			if (tb_parse_double(optarg, 0, 1e7, &idle))
				tb_usage_die("--idle: '%s' is not a number of seconds", optarg);
			break;
		case O_HOLD:
			if (tb_parse_i64(optarg, 1, 600000, &hold_ms))
				tb_usage_die("--hold-ms: '%s' is not in 1..600000", optarg);
			break;
		case O_MAXF:
			if (tb_parse_i64(optarg, 1, 65536, &maxf))
				tb_usage_die("--max-frames: '%s' is not in 1..65536", optarg);
			break;
		case O_MAXB:
			if (tb_parse_i64(optarg, 1, 16384, &maxb))
				tb_usage_die("--max-buffer-mb: '%s' is not in 1..16384", optarg);
			break;
		case O_NODEC: decode = 0; break;
		case O_PSNR: psnr_clip = optarg; break;
		case O_DUMP: dump_dir = optarg; break;
		case O_DUMPF: dump_frames = optarg; break;
		case O_SSRC: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || v > UINT32_MAX || optarg[0] == '-')
				tb_usage_die("--ssrc: '%s' is not a 32-bit number", optarg);
			ssrc = (long long)v;
			break;
		}
		case O_STREAM:
			if (tb_parse_i64(optarg, 0, TB_RECV_MAX_STREAM, &stream_base))
				tb_usage_die("--stream: '%s' is not a stream number (0-%d)", optarg, TB_RECV_MAX_STREAM);
			break;
		case O_PT:
			if (tb_parse_i64(optarg, 1, 127, &pt))
				tb_usage_die("--pt: '%s' is not a payload type (1-127)", optarg);
			break;
		case O_RCVBUF:
			if (tb_parse_i64(optarg, 4096, 1 << 30, &rcvbuf))
				tb_usage_die("--rcvbuf: '%s' is not in 4096..2^30", optarg);
			break;
		case O_CLOCK:
			if (strcmp(optarg, "shared") && strcmp(optarg, "echo"))
				tb_usage_die("--clock: '%s' is not shared or echo", optarg);
			clock = optarg;
			clock_echo = !strcmp(optarg, "echo");
			break;
		case O_TEST_OFFSET:
			if (tb_parse_i64(optarg, -(1LL << 50), 1LL << 50, &test_offset))
				tb_usage_die("--test-clock-offset-ns: '%s' is not an integer within +-2^50", optarg);
			break;
		case O_STATUS: status = 1; break;
		case O_QUIET: quiet = 1; break;
		case 'h':
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		tb_usage_die("unexpected argument '%s'", argv[optind]);
	if (!!listen + !!pcap_file + !!iface != 1)
		tb_usage_die("give exactly one of --listen, --pcap, --iface (see --help)");
	if ((run_id || packets) && !db)
		tb_usage_die("--run-id and --packets need --db");
	if (!dump_dir != !dump_frames)
		tb_usage_die("--dump-png and --dump-frames go together");
	if (dump_dir && !decode)
		tb_usage_die("--dump-png needs decoding (drop --no-decode)");
	if (psnr_clip && !decode)
		tb_usage_die("--psnr needs decoding (drop --no-decode)");
	if (port && listen)
		tb_usage_die("--port is for --pcap/--iface; --listen takes [ADDR]:PORT");
	if ((clock_echo || test_offset) && !listen)
		tb_usage_die("--clock echo and --test-clock-offset-ns need --listen (a capture cannot answer)");

	struct app a = { .packets_log = packets, .quiet = quiet, .frame_limit = frames, .dump_dir = dump_dir,
			 .sender_summary = sender_summary,
			 .clock_echo = clock_echo, .echo = { .test_offset_ns = test_offset },
			 .stream_base = (uint32_t)stream_base };
	if (dump_frames && tb_frame_set_parse(dump_frames, &a.dump_set))
		tb_usage_die("--dump-frames: '%s' is not a list like 0,30-35,90", dump_frames);
	a.status = quiet ? 0 : status >= 0 ? status : isatty(2);
	char err[512];
	int fd = listen ? open_socket(listen, (int)rcvbuf, clock_echo) : -1;
	if (db) {
		a.store = tb_recv_store_open(db, run_id, listen ? listen : pcap_file ? pcap_file : iface,
					     (int)batch, err, sizeof err);
		if (!a.store)
			tb_die("%s", err);
	}
	if (decode && !(a.dec = tb_decoder_new(on_picture, &a, err, sizeof err)))
		tb_die("%s", err);
	if (psnr_clip && !(a.psnr = tb_psnr_ref_new(psnr_clip, err, sizeof err)))
		tb_die("--psnr: %s", err);
	struct tb_reasm_cfg cfg = { .hold_ns = hold_ms * TB_NS_PER_MSEC, .max_frames = (size_t)maxf,
				    .max_bytes = (size_t)maxb << 20, .select_ssrc = ssrc >= 0,
				    .ssrc = (uint32_t)(ssrc >= 0 ? ssrc : 0), .payload_type = (int)pt };
	a.reasm = tb_reasm_new(&cfg, on_frame, packets ? on_packet : NULL, &a);
	if (!a.reasm)
		tb_die("out of memory");

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	a.start_mono = tb_mono_ns();
	a.next_status_mono = a.start_mono + TB_NS_PER_SEC;
	if (duration > 0)
		a.deadline_mono = a.start_mono + (int64_t)(duration * 1e9);
	a.idle_ns = (int64_t)(idle * 1e9);

	struct tb_cap_stats cap = { 0 };
	int rc = 0;
	if (listen) {
		socket_loop(&a, fd);
		close(fd);
	} else if (pcap_file) {
		rc = tb_cap_read_file(pcap_file, (int)port, on_datagram, cap_tick, &a, &cap, err, sizeof err);
	} else {
		rc = tb_cap_live(iface, (int)port, on_datagram, cap_tick, &a, &stop_flag, &cap, err, sizeof err);
	}
	if (rc)
		tb_warn("%s", err);

	/* Finish cleanly: every frame in flight, every row committed. */
	tb_reasm_flush(a.reasm);
	if (a.dec)
		tb_decoder_drain(a.dec);
	pop_pending(&a, 1);
	show_status(&a, 1);
	tb_reasm_counters(a.reasm, &a.c);
	/* Two clocks: the latencies are corrected by tb-send's estimate (the
	 * last one it sent: its best), or left as measured when none came. */
	const char *sync = !clock_echo ? "shared" : a.echo.have ? "synchronised" : "unsynchronised";
	if (clock_echo && a.echo.have)
		for (size_t i = 0; i < a.stats.nlat; i++)
			a.stats.lat[i] -= a.echo.offset_ns;
	if (a.store) {
		struct tb_recv_clock rc_clock = { .clock = clock, .sync = sync, .have = clock_echo && a.echo.have,
						  .offset_ns = a.echo.offset_ns, .bound_ns = a.echo.bound_ns,
						  .echoes = a.echo.echoes, .stream_first = stream_base,
						  .stream_last = stream_base + (a.c.streams ? (long long)a.c.streams - 1 : 0) };
		if (tb_recv_store_clock(a.store, &rc_clock)) {
			tb_warn("storing the clock estimate (runs.clock_*) failed");
			rc = -1;
		}
		long long id = tb_recv_store_run_id(a.store);
		if (tb_recv_store_close(a.store, err, sizeof err)) {
			tb_warn("%s", err);
			rc = -1;
		}
		if (!quiet)
			printf("run_id %lld\n", id);
	}
	if (!quiet) {
		tb_recv_print_summary(stdout, &a.c, &a.stats, listen ? NULL : &cap, decode);
		if (clock_echo && a.echo.have)
			printf("clock echo synchronised offset_ns %lld bound_ns %lld echoes %u replies %llu\n",
			       (long long)a.echo.offset_ns, (long long)a.echo.bound_ns, a.echo.echoes,
			       (unsigned long long)a.echo.echoes_sent);
		else if (clock_echo)
			printf("clock echo unsynchronised replies %llu (latency not corrected)\n",
			       (unsigned long long)a.echo.echoes_sent);
		else
			printf("clock shared\n");
		double span = (double)(a.last_rx_ns - a.first_rx_ns) / 1e9;
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
			     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
		if (dump_dir)
			printf("png written %llu\n", (unsigned long long)a.dumped);
		printf("arrivals datagrams %llu seconds %.3f per_second %.0f cpu_seconds %.3f\n",
		       (unsigned long long)a.rx, span, span > 0 ? (double)(a.rx - 1) / span : 0.0, cpu);
	}
	tb_reasm_free(a.reasm);
	tb_decoder_free(a.dec);
	tb_psnr_ref_free(a.psnr);
	tb_frame_set_free(&a.dump_set);
	tb_recv_stats_free(&a.stats);
	return rc || a.store_failed ? 1 : 0;
}
