/* Command-line options of tb-tunflood: what the flood does, parsed strictly.
 * Parsing is pure (no I/O besides the message buffer) so it is unit-tested. */
#ifndef TB_FLOOD_OPTS_H
#define TB_FLOOD_OPTS_H

#include <stddef.h>
#include <stdint.h>

#define FLOOD_QDISC_MAX_WORDS 16
#define FLOOD_HDR_BYTES 24       /* magic, run id, sequence, send time */
#define FLOOD_MAX_PAYLOAD 1472   /* 1500-byte MTU minus IPv4 and UDP headers */

enum flood_reader_mode {
	FLOOD_READER_BLOCKING, /* blocking read(): the kernel's wait loop runs */
	FLOOD_READER_POLL,     /* O_NONBLOCK read() after poll(), like OpenVPN */
};

struct flood_opts {
	char dev[16];              /* TUN name or pattern with %d */
	long long ring;            /* txqueuelen = tx ring size, packets */
	char qdisc[128];           /* root qdisc spec for tc, "" = kernel default */
	long long rate_pps;        /* sender rate, 0 = as fast as possible */
	long long burst;           /* packets sent back-to-back per burst */
	long long count;           /* packets to send; 0 when duration is used */
	int64_t duration_ns;       /* sending time; 0 when count is used */
	long long size_bytes;      /* UDP payload bytes */
	int blocking;              /* blocking socket (1) or O_NONBLOCK (0) */
	long long sndbuf_bytes;    /* SO_SNDBUFFORCE value, 0 = default */
	long long reader_rate_pps; /* reader drain rate while sending, 0 = unpaced */
	long long reader_stall_after; /* reader stops reading after this many packets; 0 = never */
	enum flood_reader_mode reader;
	long long port;            /* UDP destination port */
	int64_t send_timeout_ns;   /* SO_SNDTIMEO: a send blocked longer = hung */
	int64_t drain_idle_ns;     /* reader idle this long (and qdisc empty) = drained */
	int64_t drain_timeout_ns;  /* give up draining after this long = hung */
	int iff_backpressure;      /* create the TUN with IFF_BACKPRESSURE (0x0080) */
	int new_netns;             /* unshare(CLONE_NEWNET) before anything else */
	int help;
};

/* Defaults, then argv. Returns 0, or -1 with a one-line message naming the
 * offending option in err (the caller prints it and exits 2). */
int flood_parse_args(int argc, char **argv, struct flood_opts *o, char *err, size_t errlen);

/* Split a qdisc spec into words for tc ("pfifo limit 25000" -> 3 words).
 * Only [A-Za-z0-9_.:-] characters are allowed. Returns the number of words
 * (>= 1), or -1 when the spec is empty, too long or has other characters.
 * words point into buf (a copy of spec). */
int flood_split_qdisc(const char *spec, char *buf, size_t buflen, char **words, int maxwords);

const char *flood_reader_name(enum flood_reader_mode m);

/* Usage text for --help and usage errors. */
extern const char flood_usage_text[];

#endif
