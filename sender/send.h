/* tb-send: replays a clip's encoded frames as RTP/UDP at their capture
 * times. The pieces: options (send_opts.c), the socket (send_net.c), the
 * pacing and sending loop (send_run.c), the results rows (send_db.c). */
#ifndef TB_SEND_H
#define TB_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/socket.h>

#include "clock_est.h"
#include "tb/clip.h"
#include "tb/rtp_build.h"
#include "tb/store.h"

/* The SSRC of stream 0 (camera K sends TB_SEND_SSRC_BASE + K), the highest
 * --stream, and how far --start-at may lie from now. */
#define TB_SEND_SSRC_BASE 0x54420001u
#define TB_SEND_MAX_STREAM 255
#define TB_SEND_START_PAST_NS 1000000000LL   /* a start up to 1 s past is caught up */
#define TB_SEND_START_AHEAD_NS 60000000000LL /* at most 60 s ahead */

struct send_opts {
	const char *clip;          /* the source: a clip ... */
	const char *gst;           /* ... or a live GStreamer pipeline ending in an H.264 encoder */
	const char *record;        /* --gst: keep the encoded stream in this .h264 file */
	const char *dest;          /* HOST:PORT or [V6]:PORT as given */
	double duration_s;         /* 0 = one pass of the clip */
	long long frames;          /* 0 = no frame limit */
	double pace;               /* fraction of the frame interval to spread a frame over; 0 = burst */
	double speed;              /* play speed multiplier */
	int flood;                 /* ignore timestamps: frames back to back */
	int nonblocking;
	long long sndbuf;          /* 0 = kernel default */
	uint32_t ssrc;             /* --ssrc, else TB_SEND_SSRC_BASE + stream */
	int stream;                /* --stream: the camera, written into frames_sent.stream */
	int64_t start_at_ns;       /* --start-at: the first frame's CLOCK_REALTIME time; 0 = now */
	uint16_t first_seq;
	long long max_packet;      /* 0 = from --mtu or the default */
	long long mtu;             /* 0 = not given */
	int no_ext;                /* send plain RFC 6184, without our extension */
	const char *db;
	long long run_id;          /* 0 = create a runs row */
	int quiet;
};

/* Parse argv; prints usage and exits 0 for --help, 2 for bad input. */
void send_parse_opts(int argc, char **argv, struct send_opts *o);

/* NULL when --start-at (start_ns) is usable at now_ns: at most
 * TB_SEND_START_PAST_NS past and TB_SEND_START_AHEAD_NS ahead; else why not,
 * in buf. */
const char *send_start_at_problem(int64_t start_ns, int64_t now_ns, char *buf, size_t len);

/* The destination, resolved. */
struct send_dest {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int family;
};

/* Parse HOST:PORT / [V6]:PORT. Returns 0, or -1 with a reason in err. */
int send_parse_dest(const char *s, struct send_dest *d, char *err, size_t errlen);

/* A connected UDP socket with the options applied and IP_RECVERR (or
 * IPV6_RECVERR) set, so that ICMP errors are queued for send_errq_drain;
 * dies on failure. *sndbuf_eff gets the kernel's SO_SNDBUF value after
 * setting. */
int send_open_socket(const struct send_dest *d, const struct send_opts *o, int *sndbuf_eff);

/* What happened to one frame. */
struct frame_rec {
	uint32_t frame_no, clip_frame;
	char type;
	uint8_t idr;
	uint32_t size_bytes, packets, wire_bytes;
	uint32_t send_errors;       /* datagrams send() refused for themselves: lost */
	uint32_t icmp_errors;       /* ICMP error reports (about earlier datagrams) read meanwhile */
	uint16_t first_seq;
	uint32_t rtp_ts;
	int64_t capture_ns, send_start_ns, send_end_ns, blocked_ns;
	int64_t late_ns;            /* send start minus due time (monotonic) */
};

struct send_result {
	struct frame_rec *recs;
	size_t count;
	uint64_t packets;        /* accepted by send() */
	uint64_t wire_bytes, send_errors, eagain, enobufs, enetdown, other_errors;
	uint64_t icmp_errors;    /* ICMP error reports read from the socket's error queue */
	uint64_t icmp_refused;   /* of them port unreachable (ECONNREFUSED) */
	uint64_t resent;         /* send()s refused by such a report, whose datagram was sent again */
	struct clock_est clock;  /* from tb-recv's echoes (send_clock.c) */
	uint64_t offsets_sent;   /* offset messages sent to tb-recv */
	uint64_t foreign_datagrams; /* received on the socket, not an echo */
	int64_t start_mono_ns, end_mono_ns;  /* first due time, last send end */
	int64_t media_ns;                    /* clip time covered: frames x interval / speed */
	int64_t start_missed_ns;             /* --start-at: how late tb-send was ready for it (0: asleep before) */
	int stopped_by_signal;
};

/* Read the socket's error queue (send_errq.c): counts each ICMP report in
 * r (and rec when not NULL); returns how many carried errno match_errno. */
int send_errq_drain(int fd, struct send_result *r, struct frame_rec *rec, int match_errno);

/* Set by SIGINT/SIGTERM: the loop stops after the current packet. */
extern volatile sig_atomic_t send_stop;

/* Sending access units (send_frame.c), the same for both sources. */
struct sender {
	int fd;
	const struct send_opts *o;
	struct send_result *r;
	struct tb_packetizer pz;
	struct tb_rtp_out *pkts;
	uint8_t *buf;
	size_t max_pkts, max_bytes, max_packet, rec_cap;
	int64_t clock_sent_mono;   /* when the last offset message went out */
	int clock_changed;         /* the estimate improved since */
};

/* Zeroes *r; the packetizer starts at --first-seq. */
void sender_init(struct sender *s, int fd, const struct send_opts *o, size_t max_packet, struct send_result *r);

/* Packetize and send one access unit (Annex-B), appending its record to
 * s->r: info gives frame_no, clip_frame, type, idr, capture_ns, rtp_ts.
 * due: when it was due on CLOCK_MONOTONIC (late_ns; --pace spreads the
 * packets from there over --pace of interval_ns). */
void sender_frame(struct sender *s, const uint8_t *au, size_t len, const struct frame_rec *info, int64_t due,
		  int64_t interval_ns);

/* Read tb-recv's clock echoes from the socket and send it the estimate
 * when due (send_clock.c); final: send it now. Called after every frame. */
void send_clock_poll(struct sender *s, int final);

/* After the last frame: the last ICMP reports, the signal flag; frees buffers. */
void sender_finish(struct sender *s);

/* The clip loop: sends until --duration / --frames is reached or SIGINT/SIGTERM. */
void send_run(int fd, const struct tb_clip *clip, const struct send_opts *o, size_t max_packet,
	      struct send_result *r);

/* The live loop (send_gst.c): runs the --gst pipeline and sends each access
 * unit as it comes out, until EOS, --frames, --duration or a signal. */
void send_gst_run(int fd, const struct send_opts *o, size_t max_packet, struct send_result *r);

/* Open the results store (--db) before the run, so a bad path or --run-id
 * fails before anything is sent; dies with a message. */
tb_store *send_open_db(const struct send_opts *o);

/* Write frames_sent rows (creating a runs row if o->run_id is 0, with
 * clip = source: the clip's name, or 'gst' for a live pipeline) and close
 * the store. Returns the run id, or dies with a message. */
long long send_write_db(tb_store *st, const struct send_opts *o, const char *source, int sndbuf_eff,
			const struct send_result *r);

#endif
