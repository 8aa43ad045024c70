/* Sweep files: expansion order and count, stable keys, defaults, and every
 * kind of bad input rejected with the line and the reason. */
#include "sweep.h"
#include "tb/check.h"

#include <stdio.h>
#include <string.h>

static const char *const kernels[] = {"stock", "nodrop-v2", "nodrop-qdisc", NULL};
static const char *const profiles[] = {"lan", "de-us", NULL};
static const char *const clips[] = {"720p30", "480p30", NULL};
static const struct sweep_known known = {.kernels = kernels, .profiles = profiles, .clips = clips};

static struct sweep s;

static void test_expand(void)
{
	const char *text = "# two kernels, two rings\n"
			   "[sweep]\n"
			   "name = ci-quick\n"
			   "repetitions = 2   # spread\n"
			   "duration = 8s\n"
			   "\n"
			   "[matrix]\n"
			   "kernel = stock, nodrop-v2\n"
			   "ring   = 25, 500\n"
			   "qdisc  = pfifo limit 25000, fq_codel target 5ms interval 100ms\n";
	char err[256] = "";
	CHECK(sweep_parse(text, "t.sweep", &known, &s, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "unexpected: %s\n", err);
	CHECK(strcmp(s.name, "ci-quick") == 0);
	CHECK_EQ_I64(s.repetitions, 2);
	CHECK_EQ_I64(s.duration_s, 8);
	CHECK_EQ_I64(sweep_point_count(&s), 2 * 2 * 2 * 2);
	/* Defaults fill the axes not given. */
	CHECK(strcmp(s.matrix[0].axis[AXIS_PROFILE].values[0], "lan") == 0);
	CHECK(strcmp(s.matrix[0].axis[AXIS_TRAFFIC].values[0], "video") == 0);

	/* Kernel-major: the first half is all stock, repetitions next. */
	struct sweep_point pt;
	for (long long i = 0; i < 16; i++) {
		sweep_point(&s, i, &pt);
		CHECK_EQ_I64(pt.matrix, 0);
		CHECK_EQ_I64(pt.idx[AXIS_KERNEL], i / 8);
		CHECK_EQ_I64(pt.rep, (i / 4) % 2 + 1);
		CHECK_EQ_I64(pt.idx[AXIS_RING], (i / 2) % 2);
		CHECK_EQ_I64(pt.idx[AXIS_QDISC], i % 2);
	}
	/* Keys are unique across the sweep and stable. */
	char keys[16][1024];
	for (long long i = 0; i < 16; i++) {
		sweep_point(&s, i, &pt);
		sweep_point_key(&s, &pt, keys[i], sizeof keys[i]);
		for (long long j = 0; j < i; j++)
			CHECK(strcmp(keys[i], keys[j]) != 0);
	}
	CHECK(strcmp(keys[0], "kernel=stock;ring=25;qdisc=pfifo limit 25000;profile=lan;"
			      "traffic=video;clip=720p30;sndbuf=default;pace=0;duration=8s;seed=1;rep=1") == 0);
}

/* Several [matrix] sections: a union, each with its own defaults. */
static void test_union(void)
{
	const char *text = "[sweep]\nrepetitions = 2\n"
			   "[matrix]   # video\nkernel = stock, nodrop-v2\nring = 1, 25\n"
			   "[matrix]   # tcp at 120 ms\nkernel = nodrop-v2\ntraffic = tcp\nprofile = de-us\n";
	char err[256] = "";
	CHECK(sweep_parse(text, "u.sweep", &known, &s, err, sizeof err) == 0);
	CHECK_EQ_I64(s.nmatrix, 2);
	CHECK_EQ_I64(sweep_point_count(&s), (2 * 2 + 1) * 2);
	struct sweep_point pt;
	sweep_point(&s, 7, &pt);
	CHECK_EQ_I64(pt.matrix, 0);
	CHECK(strcmp(sweep_value(&s, &pt, AXIS_KERNEL), "nodrop-v2") == 0);
	CHECK(strcmp(sweep_value(&s, &pt, AXIS_RING), "25") == 0);
	CHECK_EQ_I64(pt.rep, 2);
	sweep_point(&s, 8, &pt);
	CHECK_EQ_I64(pt.matrix, 1);
	CHECK(strcmp(sweep_value(&s, &pt, AXIS_TRAFFIC), "tcp") == 0);
	CHECK(strcmp(sweep_value(&s, &pt, AXIS_RING), "500") == 0); /* its own default */
	CHECK_EQ_I64(pt.rep, 1);
	sweep_point(&s, 9, &pt);
	CHECK_EQ_I64(pt.rep, 2);
	/* The same point in two matrices has the same key. */
	CHECK(sweep_parse("[matrix]\nring = 1, 5\n[matrix]\nring = 5\n", "d.sweep", &known, &s, err,
			  sizeof err) == 0);
	char k1[1024], k2[1024];
	sweep_point(&s, 1, &pt);
	sweep_point_key(&s, &pt, k1, sizeof k1);
	sweep_point(&s, 2, &pt);
	sweep_point_key(&s, &pt, k2, sizeof k2);
	CHECK(strcmp(k1, k2) == 0);
}

/* The axes added after the first campaigns: a key names them only when
 * they differ from their default, so older keys still match on resume. */
static void test_later_axes_keys(void)
{
	char err[256] = "", key[1024];
	struct sweep_point pt;
	CHECK(sweep_parse("[matrix]\nring = 25\ncpu_limit = 90, 80\n", "k.sweep", &known, &s, err,
			  sizeof err) == 0);
	sweep_point(&s, 0, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strcmp(key, "kernel=stock;ring=25;qdisc=pfifo_fast;profile=lan;traffic=video;clip=720p30;"
			  "sndbuf=default;pace=0;duration=10s;seed=1;rep=1") == 0);
	sweep_point(&s, 1, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, ";pace=0;cpu_limit=80;duration=10s;") != NULL);
	/* the TCP start iperf3 leaves out: always in a TCP point's key (older TCP
	 * runs omitted nothing and must not count as its), never in a video one */
	CHECK(sweep_parse("[matrix]\ntraffic = tcp, video\ntcp_omit = 2, 5\n", "k.sweep", &known, &s, err,
			  sizeof err) == 0);
	sweep_point(&s, 0, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, "traffic=tcp;") != NULL && strstr(key, ";tcp_omit=2;duration=10s;") != NULL);
	sweep_point(&s, 1, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, "traffic=tcp;") != NULL && strstr(key, ";tcp_omit=5;duration=10s;") != NULL);
	sweep_point(&s, 2, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, "traffic=video;") != NULL && strstr(key, "tcp_omit") == NULL);
	/* the opt-in flag: in the key only when on */
	CHECK(sweep_parse("[matrix]\nkernel = nodrop-v2\nflag = off, on\n", "k.sweep", &known, &s, err,
			  sizeof err) == 0);
	sweep_point(&s, 0, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, "flag") == NULL);
	sweep_point(&s, 1, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, ";flag=on;duration=10s;") != NULL);
}

/* cameras: a video point names them when there are several; a TCP point
 * never (it sends no video, so every count is one run), and its point file
 * leaves them empty, as it does the clip. */
static void test_cameras(void)
{
	char err[256] = "", key[1024], text[4096];
	struct sweep_point pt;
	CHECK(sweep_parse("[matrix]\ntraffic = video, tcp\ncameras = 1, 2, 8\n", "c.sweep", &known, &s, err,
			  sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "unexpected: %s\n", err);
	CHECK_EQ_I64(sweep_point_count(&s), 2 * 3);
	CHECK(sweep_axis_by_name("cameras") == AXIS_CAMERAS);
	/* pace, then cameras innermost: video 1, 2, 8, then tcp 1, 2, 8 */
	static const char *const want[] = {"1", "2", "8", "1", "2", "8"};
	char tcp_key[3][1024];
	for (int i = 0; i < 6; i++) {
		sweep_point(&s, i, &pt);
		CHECK(strcmp(sweep_value(&s, &pt, AXIS_CAMERAS), want[i]) == 0);
		sweep_point_key(&s, &pt, key, sizeof key);
		char named[32];
		snprintf(named, sizeof named, ";cameras=%s;", want[i]);
		CHECK((strstr(key, named) != NULL) == (i == 1 || i == 2));
		if (i >= 3)
			strcpy(tcp_key[i - 3], key);
		FILE *f = fmemopen(text, sizeof text, "w");
		CHECK(f != NULL);
		if (!f)
			return;
		sweep_point_write(&s, &pt, i, f);
		fclose(f);
		char line[32];
		snprintf(line, sizeof line, "\ncameras = %s\n", want[i]);
		CHECK(strstr(text, i < 3 ? line : "\ncameras =\n") != NULL);
	}
	/* one camera is the point it was before there was this axis */
	sweep_point(&s, 0, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strcmp(key, "kernel=stock;ring=500;qdisc=pfifo_fast;profile=lan;traffic=video;clip=720p30;"
			  "sndbuf=default;pace=0;duration=10s;seed=1;rep=1") == 0);
	/* TCP: the same key whatever the count */
	CHECK(strcmp(tcp_key[0], tcp_key[1]) == 0 && strcmp(tcp_key[1], tcp_key[2]) == 0);
	/* checked one by one as ./testbed run --cameras is */
	char why[256];
	CHECK(sweep_check_value(AXIS_CAMERAS, "4", &known, why, sizeof why) == 0);
	static const char *const bad[] = {"0", "9", "-1", "1.5", "two", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = 0;
		CHECK(sweep_check_value(AXIS_CAMERAS, bad[i], &known, why, sizeof why) == -1);
		if (!strstr(why, "cameras must be a whole number of video streams in 1..8")) {
			fprintf(stderr, "cameras '%s': %s\n", bad[i], why);
			CHECK(0);
		}
	}
}

/* A point file: every setting by name, values normalised. */
static void test_point_file(void)
{
	char err[256] = "";
	CHECK(sweep_parse("[sweep]\nname = pf\nduration = 2m\nseed = 7\n"
			  "[matrix]\nkernel = nodrop-v2\nring = 25\nqdisc = pfifo limit 25000\n"
			  "traffic = tcp, video\nsndbuf = 64k\ndecode = on\ndump_frames = 35  45 55\n",
			  "pf.sweep", &known, &s, err, sizeof err) == 0);
	struct sweep_point pt;
	char text[4096];
	for (int i = 0; i < 2; i++) {
		sweep_point(&s, i, &pt);
		FILE *f = fmemopen(text, sizeof text, "w");
		CHECK(f != NULL);
		if (!f)
			return;
		sweep_point_write(&s, &pt, 12 + i, f);
		fclose(f);
		CHECK(strstr(text, "campaign = pf\n") != NULL);
		CHECK(strstr(text, "\nkernel = nodrop-v2\nring = 25\nqdisc = pfifo limit 25000\n") != NULL);
		CHECK(strstr(text, "\nsndbuf = 65536\n") != NULL);
		CHECK(strstr(text, "\nvpn = openvpn\ndecode = on\ndump_frames = 35,45,55\ncpu_limit = 90\ntcp_omit =") != NULL);
		CHECK(strstr(text, "\nduration = 120\nseed = 7\n") != NULL);
		CHECK(strstr(text, "\nrepetition = 1\n") != NULL);
		/* TCP carries no clip, video no TCP start to omit */
		CHECK(strstr(text, i == 0 ? "\nclip =\n" : "\nclip = 720p30\n") != NULL);
		CHECK(strstr(text, i == 0 ? "\ntcp_omit = 2\n" : "\ntcp_omit =\n") != NULL);
		CHECK(strstr(text, i == 0 ? "point 12" : "point 13") != NULL);
	}
	CHECK(sweep_axis_by_name("dump_frames") == AXIS_DUMP_FRAMES);
	CHECK(sweep_axis_by_name("duration") == -1);
}

static void test_name_from_file(void)
{
	char err[256];
	CHECK(sweep_parse("[matrix]\nring = 1\n", "sweeps/my-test.sweep", &known, &s, err, sizeof err) == 0);
	CHECK(strcmp(s.name, "my-test") == 0);
	CHECK_EQ_I64(sweep_point_count(&s), 1);
}

struct bad {
	const char *text;
	const char *expect; /* substring of the error */
};

static void test_bad_input(void)
{
	static const struct bad cases[] = {
		{"[matrix]\nkernel = stock, nodrop-v9\n", "t.sweep:2: unknown kernel variant 'nodrop-v9'"},
		{"[matrix]\nring = 0\n", "t.sweep:2: ring must be a whole number"},
		{"[matrix]\nring = 25, 25\n", "'25' listed twice"},
		{"[matrix]\nring = 25,,500\n", "empty value"},
		{"[matrix]\nring = 1e3\n", "ring must be"},
		{"[matrix]\nqdisc = pfifo limit\n", "'limit' needs a whole number of packets, got 'nothing'"},
		{"[matrix]\nqdisc = pfifo limt 5\n", "qdisc pfifo has no parameter 'limt'"},
		{"[matrix]\nqdisc = fq_codel target 5\n", "'target' needs a time with unit"},
		{"[matrix]\nqdisc = cake bandwidth 10\n", "'bandwidth' needs a rate"},
		{"[matrix]\nqdisc = red\n", "unknown qdisc 'red'"},
		{"[matrix]\nprofile = mars\n", "unknown netem profile 'mars'"},
		{"[matrix]\ntraffic = quic\n", "traffic must be video, tcp or mixed"},
		{"[matrix]\nclip = 4k\n", "unknown clip '4k'"},
		{"[matrix]\nsndbuf = 12\n", "sndbuf must be"},
		{"[matrix]\npace = 1.5\n", "pace must be"},
		{"[matrix]\ncolour = red\n", "t.sweep:2: unknown key 'colour' in [matrix]"},
		{"[matrix]\nring = 1\nring = 2\n", "t.sweep:3: 'ring' set twice (first on line 2)"},
		{"[sweep]\nrepetitions = 0\n", "repetitions must be in 1..1000"},
		{"[sweep]\nduration = 10h\n", "duration must be"},
		{"[sweep]\nname = a b\n", "name must be"},
		{"[sweep]\nseed = 1\nseed = 2\n", "t.sweep:3: 'seed' set twice"},
		{"[sweep]\nfoo = 1\n", "unknown key 'foo' in [sweep]"},
		{"ring = 1\n", "t.sweep:1: 'ring' before any [sweep] or [matrix] section"},
		{"[matrix\n", "unknown section [matrix"},
		{"[matrix]\njust words\n", "t.sweep:2: expected 'key = value'"},
		{"[matrix]\nring =\n", "'ring' has no value"},
		{"[sweep]\nname = x\n", "no [matrix] section"},
		{"[matrix]\nvpn = ipsec\n", "vpn must be openvpn"},
		{"[matrix]\ndecode = yes\n", "decode must be on"},
		{"[matrix]\ndecode = on\ndump_frames = 35, x\n", "dump_frames must be 'none' or frame numbers"},
		{"[matrix]\ndump_frames = 35 45\n", "t.sweep:2: dump_frames keeps decoded pictures: set decode = on"},
		{"[matrix]\ncpu_limit = 0\n", "cpu_limit must be a percentage in 1..100"},
		{"[matrix]\ntcp_omit = 61\n", "tcp_omit must be whole seconds in 0..60"},
		{"[matrix]\ntcp_omit = 1.5\n", "tcp_omit must be whole seconds in 0..60"},
		{"[matrix]\nflag = yes\n", "flag must be on (the robot's VPN asks for IFF_BACKPRESSURE) or off"},
		{"[matrix]\ncameras = 0\n", "t.sweep:2: cameras must be a whole number of video streams in 1..8, got '0'"},
		{"[matrix]\ncameras = 2, 9\n", "t.sweep:2: cameras must be a whole number of video streams in 1..8, got '9'"},
		{"[matrix]\ncameras = 2, 2\n", "'2' listed twice for 'cameras'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[512] = "";
		int rc = sweep_parse(cases[i].text, "t.sweep", &known, &s, err, sizeof err);
		CHECK(rc == -1);
		if (!strstr(err, cases[i].expect)) {
			fprintf(stderr, "case %zu: expected '%s' in '%s'\n", i, cases[i].expect, err);
			CHECK(0);
		}
	}
	/* A default that does not exist among the known names is named. */
	static const char *const only_480[] = {"480p30", NULL};
	struct sweep_known k2 = {.kernels = kernels, .profiles = profiles, .clips = only_480};
	char err[512] = "";
	CHECK(sweep_parse("[matrix]\nring = 5\n", "t.sweep", &k2, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "t.sweep:1: default clip") != NULL);
}

static void test_qdisc_specs(void)
{
	static const char *const good[] = {
		"noqueue", "pfifo_fast", "pfifo limit 25000", "bfifo limit 64kb",
		"fq_codel", "fq_codel limit 10240 target 5ms interval 100ms noecn",
		"cake bandwidth 10mbit rtt 100ms besteffort", "fq maxrate 8mbit"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char err[256] = "";
		CHECK(qdisc_spec_check(good[i], err, sizeof err) == 0);
		if (err[0])
			fprintf(stderr, "%s: %s\n", good[i], err);
	}
	char err[256];
	CHECK(qdisc_spec_check("", err, sizeof err) == -1);
	CHECK(qdisc_spec_check("noqueue limit 5", err, sizeof err) == -1);
	CHECK(qdisc_spec_check("pfifo limit -3", err, sizeof err) == -1);
	CHECK(qdisc_spec_check("pfifo limit 2.5", err, sizeof err) == -1);
}

int main(void)
{
	test_expand();
	test_union();
	test_name_from_file();
	test_later_axes_keys();
	test_cameras();
	test_point_file();
	test_bad_input();
	test_qdisc_specs();
	return TB_CHECK_SUMMARY();
}
