/* tb-send: replays a clip's encoded frames as RTP/UDP at their capture
 * times. The pieces: options (send_opts.c), the socket (send_net.c), the
 * pacing and sending loop (send_run.c), the results rows (send_db.c). */
#ifndef TB_SEND_H
#define TB_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/socket.h>

#include "tb/clip.h"
#include "tb/store.h"

struct send_opts {
	const char *clip;
	const char *dest;          /* HOST:PORT or [V6]:PORT as given */
	double duration_s;         /* 0 = one pass of the clip */
	long long frames;          /* 0 = no frame limit */
	double pace;               /* fraction of the frame interval to spread a frame over; 0 = burst */
	double speed;              /* play speed multiplier */
	int flood;                 /* ignore timestamps: frames back to back */
	int nonblocking;
	long long sndbuf;          /* 0 = kernel default */
	uint32_t ssrc;
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

/* The destination, resolved. */
struct send_dest {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int family;
};

/* Parse HOST:PORT / [V6]:PORT. Returns 0, or -1 with a reason in err. */
int send_parse_dest(const char *s, struct send_dest *d, char *err, size_t errlen);

/* A connected UDP socket with the options applied; dies on failure.
 * *sndbuf_eff gets the kernel's SO_SNDBUF value after setting. */
int send_open_socket(const struct send_dest *d, const struct send_opts *o, int *sndbuf_eff);

/* What happened to one frame. */
struct frame_rec {
	uint32_t frame_no, clip_frame;
	char type;
	uint8_t idr;
	uint32_t size_bytes, packets, wire_bytes, send_errors;
	uint16_t first_seq;
	uint32_t rtp_ts;
	int64_t capture_ns, send_start_ns, send_end_ns, blocked_ns;
	int64_t late_ns;            /* send start minus due time (monotonic) */
};

struct send_result {
	struct frame_rec *recs;
	size_t count;
	uint64_t packets;        /* accepted by send() */
	uint64_t wire_bytes, send_errors, eagain, enobufs, econnrefused, enetdown, other_errors;
	int64_t start_mono_ns, end_mono_ns;  /* first due time, last send end */
	int64_t media_ns;                    /* clip time covered: frames x interval / speed */
	int stopped_by_signal;
};

/* Set by SIGINT/SIGTERM: the loop stops after the current packet. */
extern volatile sig_atomic_t send_stop;

/* The loop: sends until --duration / --frames is reached or SIGINT/SIGTERM. */
void send_run(int fd, const struct tb_clip *clip, const struct send_opts *o, size_t max_packet,
	      struct send_result *r);

/* Open the results store (--db) before the run, so a bad path or --run-id
 * fails before anything is sent; dies with a message. */
tb_store *send_open_db(const struct send_opts *o);

/* Write frames_sent rows (creating a runs row if o->run_id is 0) and close
 * the store. Returns the run id, or dies with a message. */
long long send_write_db(tb_store *st, const struct send_opts *o, const struct tb_clip *clip, int sndbuf_eff,
			const struct send_result *r);

#endif
