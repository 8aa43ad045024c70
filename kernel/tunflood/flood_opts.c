#include "flood_opts.h"

#include "tb/clock.h"
#include "tb/err.h"

#include <stdio.h>
#include <string.h>

const char flood_usage_text[] =
	"usage: tb-tunflood [OPTIONS]\n"
	"\n"
	"Creates a TUN device in the current network namespace, floods it with\n"
	"sequence-numbered UDP while a reader thread drains it, and prints one JSON\n"
	"object: the knobs, then where every lost packet went (ring, qdisc, socket).\n"
	"Run it in a network namespace of its own (--new-netns, or unshare -n):\n"
	"it reads the namespace's UDP counters. Needs CAP_NET_ADMIN; qdiscs other\n"
	"than noqueue, pfifo_fast, pfifo [limit N] and fq_codel need tc (iproute2).\n"
	"\n"
	"  --ring N            txqueuelen = TUN ring size, packets (default 500)\n"
	"  --qdisc SPEC        root qdisc, given to 'tc qdisc replace': noqueue,\n"
	"                      pfifo_fast, \"pfifo limit 25000\", fq_codel, ...\n"
	"                      (default: leave the kernel's default)\n"
	"  --rate PPS          sender rate, packets/s; 0 = as fast as possible (default)\n"
	"  --burst N           packets sent back-to-back per burst (default 1)\n"
	"  --count N           packets to send (default 1000)\n"
	"  --duration SEC      send for this long instead of --count\n"
	"  --size BYTES        UDP payload per packet, 24..1472 (default 1200)\n"
	"  --blocking          blocking socket (default)\n"
	"  --nonblocking       O_NONBLOCK socket: a send that would block is dropped\n"
	"                      by the sender and counted as a socket drop\n"
	"  --sndbuf BYTES      SO_SNDBUFFORCE (default: the kernel's)\n"
	"  --reader-rate PPS   reader pace while the sender runs; 0 = unpaced (default)\n"
	"  --reader MODE       blocking (default) or poll (O_NONBLOCK + poll())\n"
	"  --reader-stall-after N  the reader stops reading after N packets (fault\n"
	"                      injection: a VPN process that stalls; what it leaves in\n"
	"                      the ring is counted as stuck_in_ring); 0 = never (default)\n"
	"  --dev NAME          TUN name, may contain %d (default tbflood%d)\n"
	"  --port N            UDP destination port (default 5001)\n"
	"  --send-timeout SEC  a send blocked this long means hung (default 2)\n"
	"  --drain-idle MS     drained = reader idle this long and qdisc empty (default 300)\n"
	"  --drain-timeout SEC give up draining after this long: hung (default 10)\n"
	"  --new-netns         run in a new network namespace (gone when the tool exits)\n"
	"  --iff-backpressure  create the TUN with IFF_BACKPRESSURE (0x0080), the opt-in\n"
	"                      of the backpressure kernel variant\n"
	"  --help              this text\n"
	"\n"
	"Exit status: 0 JSON written (check \"hung\"), 1 setup failed, 2 bad options.\n";

const char *flood_reader_name(enum flood_reader_mode m)
{
	return m == FLOOD_READER_POLL ? "poll" : "blocking";
}

static void set_defaults(struct flood_opts *o)
{
	memset(o, 0, sizeof *o);
	snprintf(o->dev, sizeof o->dev, "tbflood%%d");
	o->ring = 500;
	o->rate_pps = 0;
	o->burst = 1;
	o->count = 1000;
	o->size_bytes = 1200;
	o->blocking = 1;
	o->reader = FLOOD_READER_BLOCKING;
	o->port = 5001;
	o->send_timeout_ns = 2 * TB_NS_PER_SEC;
	o->drain_idle_ns = 300 * TB_NS_PER_MSEC;
	o->drain_timeout_ns = 10 * TB_NS_PER_SEC;
}

int flood_split_qdisc(const char *spec, char *buf, size_t buflen, char **words, int maxwords)
{
	size_t n = strlen(spec);
	if (n == 0 || n >= buflen)
		return -1;
	memcpy(buf, spec, n + 1);
	int count = 0;
	char *p = buf;
	for (;;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		if (count == maxwords)
			return -1;
		words[count++] = p;
		while (*p && *p != ' ') {
			char c = *p;
			int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
				 c == '-';
			if (!ok)
				return -1;
			p++;
		}
	}
	return count > 0 ? count : -1;
}

/* Seconds (fractions allowed) to nanoseconds. */
static int parse_seconds(const char *s, double min, double max, int64_t *out)
{
	double v;
	if (tb_parse_double(s, min, max, &v))
		return -1;
	*out = (int64_t)(v * 1e9);
	return 0;
}

static int valid_dev_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 16)
		return 0;
	int pct = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (s[i + 1] != 'd' || pct++)
				return 0;
			continue;
		}
		if (c == '/' || c == ':' || c == ' ' || c < 33 || c > 126)
			return 0;
	}
	return 1;
}

int flood_parse_args(int argc, char **argv, struct flood_opts *o, char *err, size_t errlen)
{
	set_defaults(o);
	int have_count = 0, have_duration = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char name[32];
		const char *val = NULL;
		const char *eq = strchr(arg, '=');
		if (strncmp(arg, "--", 2) != 0) {
			tb_errbuf(err, errlen, "unexpected argument '%s'", arg);
			return -1;
		}
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		if (nlen >= sizeof name) {
			tb_errbuf(err, errlen, "unknown option '%s'", arg);
			return -1;
		}
		memcpy(name, arg, nlen);
		name[nlen] = 0;

		/* Flags without a value. */
		int *flag = NULL;
		int flag_val = 1;
		if (!strcmp(name, "--help"))
			flag = &o->help;
		else if (!strcmp(name, "--iff-backpressure"))
			flag = &o->iff_backpressure;
		else if (!strcmp(name, "--new-netns"))
			flag = &o->new_netns;
		else if (!strcmp(name, "--blocking"))
			flag = &o->blocking;
		else if (!strcmp(name, "--nonblocking"))
			flag = &o->blocking, flag_val = 0;
		if (flag) {
			if (eq) {
				tb_errbuf(err, errlen, "option %s takes no value", name);
				return -1;
			}
			*flag = flag_val;
			continue;
		}

		static const char *const with_value[] = {
			"--ring", "--qdisc", "--rate", "--burst", "--count", "--duration",
			"--size", "--sndbuf", "--reader-rate", "--reader", "--reader-stall-after", "--dev", "--port",
			"--send-timeout", "--drain-idle", "--drain-timeout",
		};
		int known = 0;
		for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
			known |= !strcmp(name, with_value[k]);
		if (!known) {
			tb_errbuf(err, errlen, "unknown option '%s'", name);
			return -1;
		}
		if (eq) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc) {
				tb_errbuf(err, errlen, "option %s needs a value", name);
				return -1;
			}
			val = argv[++i];
		}

		int bad = 0;
		const char *want = "";
		if (!strcmp(name, "--ring")) {
			want = "an integer 1..100000 (packets)";
			bad = tb_parse_i64(val, 1, 100000, &o->ring);
		} else if (!strcmp(name, "--qdisc")) {
			char buf[sizeof o->qdisc];
			char *words[FLOOD_QDISC_MAX_WORDS];
			want = "a tc qdisc spec such as \"pfifo limit 25000\"";
			bad = flood_split_qdisc(val, buf, sizeof buf, words, FLOOD_QDISC_MAX_WORDS) < 0;
			if (!bad)
				snprintf(o->qdisc, sizeof o->qdisc, "%s", val);
		} else if (!strcmp(name, "--rate")) {
			want = "packets/s, an integer 0..10000000";
			bad = tb_parse_i64(val, 0, 10000000, &o->rate_pps);
		} else if (!strcmp(name, "--burst")) {
			want = "an integer 1..1000000 (packets)";
			bad = tb_parse_i64(val, 1, 1000000, &o->burst);
		} else if (!strcmp(name, "--count")) {
			want = "an integer 1..1000000000 (packets)";
			bad = tb_parse_i64(val, 1, 1000000000, &o->count);
			have_count = 1;
		} else if (!strcmp(name, "--duration")) {
			want = "seconds, 0.001..86400";
			bad = parse_seconds(val, 0.001, 86400, &o->duration_ns);
			have_duration = 1;
		} else if (!strcmp(name, "--size")) {
			want = "UDP payload bytes, 24..1472";
			bad = tb_parse_i64(val, FLOOD_HDR_BYTES, FLOOD_MAX_PAYLOAD, &o->size_bytes);
		} else if (!strcmp(name, "--sndbuf")) {
			want = "bytes, 0 (default) or 1024..1073741824";
			bad = tb_parse_i64(val, 0, 1073741824, &o->sndbuf_bytes) ||
			      (o->sndbuf_bytes > 0 && o->sndbuf_bytes < 1024);
		} else if (!strcmp(name, "--reader-rate")) {
			want = "packets/s, an integer 0..10000000";
			bad = tb_parse_i64(val, 0, 10000000, &o->reader_rate_pps);
		} else if (!strcmp(name, "--reader-stall-after")) {
			want = "an integer 0..1000000000 (packets)";
			bad = tb_parse_i64(val, 0, 1000000000, &o->reader_stall_after);
		} else if (!strcmp(name, "--reader")) {
			want = "blocking or poll";
			if (!strcmp(val, "blocking"))
				o->reader = FLOOD_READER_BLOCKING;
			else if (!strcmp(val, "poll"))
				o->reader = FLOOD_READER_POLL;
			else
				bad = 1;
		} else if (!strcmp(name, "--dev")) {
			want = "an interface name of at most 15 characters (%d allowed once)";
			bad = !valid_dev_name(val);
			if (!bad)
				snprintf(o->dev, sizeof o->dev, "%s", val);
		} else if (!strcmp(name, "--port")) {
			want = "an integer 1..65535";
			bad = tb_parse_i64(val, 1, 65535, &o->port);
		} else if (!strcmp(name, "--send-timeout")) {
			want = "seconds, 0.01..3600";
			bad = parse_seconds(val, 0.01, 3600, &o->send_timeout_ns);
		} else if (!strcmp(name, "--drain-idle")) {
			long long ms;
			want = "milliseconds, 10..60000";
			bad = tb_parse_i64(val, 10, 60000, &ms);
			if (!bad)
				o->drain_idle_ns = ms * TB_NS_PER_MSEC;
		} else if (!strcmp(name, "--drain-timeout")) {
			want = "seconds, 0.1..3600";
			bad = parse_seconds(val, 0.1, 3600, &o->drain_timeout_ns);
		}
		if (bad) {
			tb_errbuf(err, errlen, "option %s: '%s' is not %s", name, val, want);
			return -1;
		}
	}
	if (have_count && have_duration) {
		tb_errbuf(err, errlen, "options --count and --duration exclude each other");
		return -1;
	}
	if (have_duration)
		o->count = 0;
	return 0;
}
