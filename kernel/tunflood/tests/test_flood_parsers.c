/* Option parsing, qdisc spec splitting and /proc/net/snmp parsing. */
#include "flood_opts.h"
#include "snmp.h"
#include "tb/check.h"

#include <string.h>

static int parse(struct flood_opts *o, char *err, size_t len, const char *a1, const char *a2,
		 const char *a3, const char *a4)
{
	char *argv[] = {"tb-tunflood", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
	int argc = 1;
	while (argv[argc])
		argc++;
	err[0] = 0;
	return flood_parse_args(argc, argv, o, err, len);
}

static void test_defaults_and_values(void)
{
	struct flood_opts o;
	char err[256];
	CHECK(parse(&o, err, sizeof err, NULL, NULL, NULL, NULL) == 0);
	CHECK_EQ_I64(o.ring, 500);
	CHECK_EQ_I64(o.count, 1000);
	CHECK_EQ_I64(o.burst, 1);
	CHECK_EQ_I64(o.blocking, 1);
	CHECK(o.qdisc[0] == 0);
	CHECK(!strcmp(o.dev, "tbflood%d"));

	CHECK(parse(&o, err, sizeof err, "--ring", "1", "--qdisc=pfifo limit 25000", "--nonblocking") == 0);
	CHECK_EQ_I64(o.ring, 1);
	CHECK(!strcmp(o.qdisc, "pfifo limit 25000"));
	CHECK_EQ_I64(o.blocking, 0);

	CHECK_EQ_I64(o.new_netns, 0);
	CHECK_EQ_I64(o.iff_backpressure, 0);
	CHECK(parse(&o, err, sizeof err, "--new-netns", "--iff-backpressure", NULL, NULL) == 0);
	CHECK_EQ_I64(o.new_netns, 1);
	CHECK_EQ_I64(o.iff_backpressure, 1);

	CHECK(parse(&o, err, sizeof err, "--duration", "1.5", "--reader", "poll") == 0);
	CHECK_EQ_I64(o.duration_ns, 1500000000LL);
	CHECK_EQ_I64(o.count, 0);
	CHECK(o.reader == FLOOD_READER_POLL);

	CHECK(parse(&o, err, sizeof err, "--drain-idle", "50", "--send-timeout", "0.5") == 0);
	CHECK_EQ_I64(o.drain_idle_ns, 50000000LL);
	CHECK_EQ_I64(o.send_timeout_ns, 500000000LL);

	CHECK_EQ_I64(o.reader_stall_after, 0);
	CHECK(parse(&o, err, sizeof err, "--reader-stall-after", "100", NULL, NULL) == 0);
	CHECK_EQ_I64(o.reader_stall_after, 100);
}

/* Every rejection names the option it is about. */
static void test_rejections(void)
{
	struct flood_opts o;
	char err[256];
	struct {
		const char *a1, *a2, *a3, *a4, *needle;
	} bad[] = {
		{"--ring", "0", NULL, NULL, "--ring"},
		{"--ring", "25x", NULL, NULL, "--ring"},
		{"--ring", NULL, NULL, NULL, "--ring needs a value"},
		{"--size", "10", NULL, NULL, "--size"},
		{"--size", "1473", NULL, NULL, "--size"},
		{"--rate", "-1", NULL, NULL, "--rate"},
		{"--burst", "0", NULL, NULL, "--burst"},
		{"--qdisc", "pfifo; rm -rf /", NULL, NULL, "--qdisc"},
		{"--qdisc", "", NULL, NULL, "--qdisc"},
		{"--reader", "fast", NULL, NULL, "--reader"},
		{"--reader-stall-after", "-1", NULL, NULL, "--reader-stall-after"},
		{"--dev", "a/b", NULL, NULL, "--dev"},
		{"--dev", "name-that-is-too-long", NULL, NULL, "--dev"},
		{"--sndbuf", "100", NULL, NULL, "--sndbuf"},
		{"--count", "5", "--duration", "1", "exclude each other"},
		{"--frobnicate", NULL, NULL, NULL, "unknown option '--frobnicate'"},
		{"--blocking=yes", NULL, NULL, NULL, "--blocking takes no value"},
		{"--new-netns=1", NULL, NULL, NULL, "--new-netns takes no value"},
		{"stray", NULL, NULL, NULL, "unexpected argument 'stray'"},
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(&o, err, sizeof err, bad[i].a1, bad[i].a2, bad[i].a3, bad[i].a4);
		CHECK(rc == -1);
		if (!strstr(err, bad[i].needle)) {
			fprintf(stderr, "case %u: message '%s' lacks '%s'\n", i, err, bad[i].needle);
			CHECK(0);
		}
	}
}

static void test_split_qdisc(void)
{
	char buf[64];
	char *w[4];
	CHECK_EQ_I64(flood_split_qdisc("  pfifo  limit 25000 ", buf, sizeof buf, w, 4), 3);
	CHECK(!strcmp(w[0], "pfifo") && !strcmp(w[1], "limit") && !strcmp(w[2], "25000"));
	CHECK_EQ_I64(flood_split_qdisc("noqueue", buf, sizeof buf, w, 4), 1);
	CHECK_EQ_I64(flood_split_qdisc("   ", buf, sizeof buf, w, 4), -1);
	CHECK_EQ_I64(flood_split_qdisc("a b c d e", buf, sizeof buf, w, 4), -1);
	CHECK_EQ_I64(flood_split_qdisc("fq_codel target 5ms", buf, sizeof buf, w, 4), 3);
	CHECK_EQ_I64(flood_split_qdisc("pfifo$", buf, sizeof buf, w, 4), -1);
}

static const char snmp_text[] =
	"Ip: Forwarding DefaultTTL InReceives OutDiscards OutNoRoutes\n"
	"Ip: 1 64 10 7 0\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n"
	"Udp: 1 2 3 4000 5 1784 6\n"
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n"
	"UdpLite: 9 9 9 9 9 9 9\n";

static void test_snmp(void)
{
	long long v = -1;
	CHECK(snmp_lookup(snmp_text, "Udp", "SndbufErrors", &v) == 0);
	CHECK_EQ_I64(v, 1784);
	CHECK(snmp_lookup(snmp_text, "Udp", "OutDatagrams", &v) == 0);
	CHECK_EQ_I64(v, 4000);
	CHECK(snmp_lookup(snmp_text, "Udp", "InCsumErrors", &v) == 0);
	CHECK_EQ_I64(v, 6);
	CHECK(snmp_lookup(snmp_text, "Ip", "OutDiscards", &v) == 0);
	CHECK_EQ_I64(v, 7);
	CHECK(snmp_lookup(snmp_text, "UdpLite", "SndbufErrors", &v) == 0);
	CHECK_EQ_I64(v, 9);
	CHECK(snmp_lookup(snmp_text, "Udp", "MemErrors", &v) == -1);
	CHECK(snmp_lookup(snmp_text, "Tcp", "InSegs", &v) == -1);
	CHECK(snmp_lookup("Udp: A B\n", "Udp", "A", &v) == -1);       /* no value line */
	CHECK(snmp_lookup("Udp: A B\nUdp: 1 x\n", "Udp", "B", &v) == -1); /* not a number */
}

int main(void)
{
	test_defaults_and_values();
	test_rejections();
	test_split_qdisc();
	test_snmp();
	return TB_CHECK_SUMMARY();
}
