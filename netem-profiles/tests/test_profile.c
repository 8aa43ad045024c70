/* Unit tests of the profile parser: the shipped profiles (argv[1] is the
 * netem-profiles directory) parse and follow the testbed's rules, the tc
 * lines are exact, and malformed files are rejected with file:line and key. */
#include "profile.h"
#include "tb/check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static char dir[1024];

static int load_named(const char *name, struct profile *p)
{
	char path[1200], err[600];
	int n = snprintf(path, sizeof path, "%s/%s.profile", dir, name);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "profile path too long: %s/%s.profile\n", dir, name);
		return -1;
	}
	if (profile_load(path, p, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static void test_shipped_profiles(void)
{
	static const char *const required[] = {
		"lan", "lab-rtt-10", "lab-rtt-20", "lab-rtt-40", "lab-rtt-80", "lab-rtt-120", "de-us",
		"lte-uplink", "5g", "geo-satellite", "leo-satellite", "congested-wifi"};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		struct profile p;
		CHECK(load_named(required[i], &p) == 0);
	}

	/* every *.profile in the directory parses and keeps the rules */
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	if (!d)
		return;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0)
			continue;
		n++;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(len - 8), e->d_name);
		struct profile p;
		if (load_named(name, &p)) {
			CHECK(!"shipped profile parses");
			continue;
		}
		CHECK(strcmp(p.name, name) == 0);
		CHECK(p.n_sources >= 1);
		for (int k = PROFILE_UP; k <= PROFILE_DOWN; k++) {
			const struct profile_direction *x = &p.dir[k];
			/* the TCG guest's OpenVPN moves ~18-19 Mbit/s: an emulated
			 * rate meant to be the bottleneck stays at or below 15 */
			if (x->rate_bps && x->rate_bps > 15000000) {
				fprintf(stderr, "%s: rate above 15 Mbit/s\n", name);
				CHECK(!"rate <= 15 Mbit/s");
			}
			/* without a rate, netem's jitter reorders packets */
			if (x->jitter_us && !x->rate_bps) {
				fprintf(stderr, "%s: jitter without rate\n", name);
				CHECK(!"jitter only with a rate");
			}
		}
	}
	closedir(d);
	CHECK(n >= 12);

	/* the paper's lab RTTs: RTT/2 each way, VPN-bound */
	static const int rtts[] = {10, 20, 40, 80, 120};
	for (size_t i = 0; i < 5; i++) {
		char name[32];
		snprintf(name, sizeof name, "lab-rtt-%d", rtts[i]);
		struct profile p;
		if (load_named(name, &p))
			continue;
		CHECK_EQ_I64(p.dir[PROFILE_UP].delay_us, rtts[i] * 500);
		CHECK_EQ_I64(p.dir[PROFILE_DOWN].delay_us, rtts[i] * 500);
		CHECK(p.bottleneck == BOTTLENECK_VPN);
		CHECK_EQ_I64(p.dir[PROFILE_UP].rate_bps, 0);
	}
}

static void check_tc(const char *name, enum profile_dir_id d, const char *dev, const char *want)
{
	struct profile p;
	char line[600];
	if (load_named(name, &p)) {
		CHECK(!"profile loads");
		return;
	}
	CHECK(profile_tc_line(&p, d, dev, line, sizeof line) == 0);
	if (strcmp(line, want) != 0) {
		fprintf(stderr, "%s %s:\n  got  '%s'\n  want '%s'\n", name, profile_dir_name(d), line, want);
		CHECK(!"exact tc line");
	} else {
		CHECK(1);
	}
}

static void test_tc_lines(void)
{
	/* limit = 250 buffer + (20+5) ms x 5 Mbit/s / 1500 B = 250 + 11 */
	check_tc("lte-uplink", PROFILE_UP, "wan-op",
		 "qdisc replace dev wan-op root handle 1: netem limit 261 delay 20ms 5ms "
		 "distribution normal loss random 0.1% rate 5mbit");
	check_tc("leo-satellite", PROFILE_DOWN, "wan-rb",
		 "qdisc replace dev wan-rb root handle 1: netem limit 435 delay 20ms 8ms "
		 "distribution paretonormal loss gemodel 0.2% 30% 100% 0% rate 15mbit");
	check_tc("5g", PROFILE_UP, "x",
		 "qdisc replace dev x root handle 1: netem limit 318 delay 12ms 2ms distribution normal "
		 "loss random 0.01% reorder 0.1% 25% rate 15mbit");
	/* no rate: the delay line sized for 1 Gbit/s, 20 ms -> 1667 packets */
	check_tc("lab-rtt-40", PROFILE_DOWN, "wan-rb",
		 "qdisc replace dev wan-rb root handle 1: netem limit 1667 delay 20ms");
	check_tc("lab-rtt-10", PROFILE_UP, "wan-op",
		 "qdisc replace dev wan-op root handle 1: netem limit 1000 delay 5ms");
	check_tc("lan", PROFILE_UP, "wan-op", "");

	/* a too-small buffer is reported, not truncated silently */
	struct profile p;
	char tiny[20];
	if (load_named("lte-uplink", &p) == 0)
		CHECK(profile_tc_line(&p, PROFILE_UP, "wan-op", tiny, sizeof tiny) == -1);
}

static void test_json(void)
{
	struct profile p;
	if (load_named("leo-satellite", &p))
		return;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	profile_print_json(f, &p);
	fclose(f);
	CHECK(strstr(buf, "\"name\":\"leo-satellite\"") != NULL);
	CHECK(strstr(buf, "\"bottleneck\":\"link\"") != NULL);
	CHECK(strstr(buf, "\"loss_model\":\"gemodel\",\"loss_pct\":0,\"ge_p_pct\":0.2,\"ge_r_pct\":30") != NULL);
	CHECK(strstr(buf, "\"rate_bps\":10000000,\"limit_pkts\":250") != NULL);
	CHECK(strstr(buf, "\"netem_limit_pkts\":274") != NULL);
	free(buf);
}

struct bad_case {
	const char *text;
	const char *want; /* the whole message */
};

#define HEAD "bottleneck = vpn\nsource = test\n"

static const struct bad_case bad_cases[] = {
	{HEAD "[up]\ndelai = 5ms\n[down]\n",
	 "bad.profile:4: unknown key 'delai' in [up] (known: delay, jitter, jitter_correlation, "
	 "distribution, loss, ge_p, ge_r, ge_bad_loss, ge_good_loss, rate, limit, reorder, "
	 "reorder_correlation)"},
	{HEAD "colour = red\n[up]\n[down]\n",
	 "bad.profile:3: unknown key 'colour' in the top level (known: description, source, bottleneck)"},
	{HEAD "[up]\ndelay = 5ms\ndelay = 6ms\n[down]\n",
	 "bad.profile:5: duplicate key 'delay' in [up] (first set on line 4)"},
	{HEAD "bottleneck = link\n[up]\n[down]\n",
	 "bad.profile:3: duplicate key 'bottleneck' in the top level (first set on line 1)"},
	{HEAD "[up]\ndelay = 60\n[down]\n", "bad.profile:4: delay = 60: missing unit (use us, ms or s)"},
	{HEAD "[up]\nloss = 0.5\n[down]\n", "bad.profile:4: loss = 0.5: missing unit (use %)"},
	{HEAD "[up]\nloss = 150%\n[down]\n", "bad.profile:4: loss = 150%: out of range (0% to 100%)"},
	{HEAD "[up]\nloss = -1%\n[down]\n", "bad.profile:4: loss = -1%: not a number"},
	{"bottleneck = link\nsource = t\n[up]\nrate = 10mbps\nlimit = 10\n[down]\n",
	 "bad.profile:4: rate = 10mbps: unknown unit 'mbps' (use bit, kbit, mbit or gbit; tc's 'bps' "
	 "would mean bytes per second)"},
	{"bottleneck = link\nsource = t\n[up]\nrate = 1kbit\nlimit = 10\n[down]\n",
	 "bad.profile:4: rate = 1kbit: out of range (8kbit to 10gbit)"},
	{HEAD "[up]\ndelay = 11s\n[down]\n", "bad.profile:4: delay = 11s: out of range (0 to 10s)"},
	{"bottleneck = link\nsource = t\n[up]\nrate = 5mbit\nlimit = 0\n[down]\n",
	 "bad.profile:5: limit = 0: out of range (1 to 1000000 packets)"},
	{"bottleneck = link\nsource = t\n[up]\nrate = 5mbit\nlimit = 10p\n[down]\n",
	 "bad.profile:5: limit = 10p: not a whole number of packets"},
	{HEAD "[up]\ndelay = 5ms\njitter = 2ms\ndistribution = gaussian\n[down]\n",
	 "bad.profile:6: distribution = gaussian: unknown (use uniform, normal, pareto or paretonormal)"},
	{HEAD "[up]\ndelay = 5ms\njitter = 9ms\n[down]\n",
	 "bad.profile:5: jitter (9000us) is larger than delay (5000us) in [up]; netem would clamp "
	 "negative delays to 0"},
	{HEAD "[up]\n[down]\ndelay = 5ms\ndistribution = normal\n",
	 "bad.profile:6: distribution needs jitter in [down]"},
	{HEAD "[up]\nge_p = 1%\n[down]\n", "bad.profile:4: ge_p needs 'loss = gemodel' in [up]"},
	{HEAD "[up]\nloss = gemodel\nge_p = 1%\n[down]\n",
	 "bad.profile:4: loss = gemodel needs ge_p and ge_r in [up]"},
	{HEAD "[up]\nreorder = 1%\n[down]\n",
	 "bad.profile:4: reorder needs a delay in [up] (netem sends the chosen packets at once, the "
	 "rest after the delay)"},
	{HEAD "[up]\n[down]\nlimit = 100\n",
	 "bad.profile:5: limit is the buffer in front of the rate limit; set rate in [down] too"},
	{"bottleneck = link\nsource = t\n[up]\nrate = 5mbit\n[down]\n",
	 "bad.profile:4: rate needs limit (the bottleneck buffer, packets) in [up]"},
	{"bottleneck = link\nsource = t\n[up]\n[down]\nrate = 5mbit\nlimit = 9\n",
	 "bad.profile:1: bottleneck = link needs a rate in [up]"},
	{HEAD "[up]\nrate = 5mbit\nlimit = 9\n[down]\n",
	 "bad.profile:4: [up] sets a rate but bottleneck = vpn (the VPN must be the only limit)"},
	{"source = t\n[up]\n[down]\n", "bad.profile: missing 'bottleneck = link|vpn' (which one limits the rate?)"},
	{"bottleneck = vpn\n[up]\n[down]\n",
	 "bad.profile: missing 'source = ...' (where the numbers come from, or 'assumption')"},
	{HEAD "[up]\n", "bad.profile: missing section [down] (leave it empty for no impairment)"},
	{HEAD "[up]\n[sideways]\n", "bad.profile:4: unknown section '[sideways]' (known: [up], [down])"},
	{HEAD "[up]\n[down]\n[up]\n", "bad.profile:5: section [up] appears twice (first on line 3)"},
	{HEAD "delay = 5ms\n[up]\n[down]\n", "bad.profile:3: key 'delay' belongs in [up] or [down]"},
	{HEAD "[up]\nsource = x\n[down]\n", "bad.profile:4: key 'source' belongs before the first section"},
	{HEAD "[up]\ndelay\n[down]\n", "bad.profile:4: expected 'key = value', got 'delay'"},
	{HEAD "[up]\ndelay =   # nothing\n[down]\n", "bad.profile:4: key 'delay' has no value"},
	{HEAD "[up\n[down]\n", "bad.profile:3: malformed section header '[up' (expected [up] or [down])"},
	{"bottleneck = bus\n", "bad.profile:1: bottleneck = bus: unknown (use link or vpn)"},
};

static void test_bad_inputs(void)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		struct profile p;
		char err[600] = "";
		int rc = profile_parse(bad_cases[i].text, "bad.profile", &p, err, sizeof err);
		CHECK_EQ_I64(rc, -1);
		if (strcmp(err, bad_cases[i].want) != 0) {
			fprintf(stderr, "case %zu:\n  got  '%s'\n  want '%s'\n", i, err, bad_cases[i].want);
			CHECK(!"exact error message");
		} else {
			CHECK(1);
		}
	}
}

static void test_good_inline(void)
{
	struct profile p;
	char err[600] = "";
	/* comments, blank lines, spacing, units us and s, several sources */
	const char *text = "# a comment\n\n  bottleneck=link   # trailing\nsource = a\nsource = b\n"
			   "[ up ]\n delay = 1500us\njitter=0.5ms\njitter_correlation = 25%\n"
			   "distribution = pareto\nrate = 2500kbit\nlimit = 40\n[down]\n";
	CHECK_EQ_I64(profile_parse(text, "dir/x.profile", &p, err, sizeof err), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK(strcmp(p.name, "x") == 0);
	CHECK_EQ_I64(p.n_sources, 2);
	CHECK_EQ_I64(p.dir[PROFILE_UP].delay_us, 1500);
	CHECK_EQ_I64(p.dir[PROFILE_UP].jitter_us, 500);
	CHECK_EQ_I64(p.dir[PROFILE_UP].rate_bps, 2500000);
	CHECK(!profile_dir_active(&p.dir[PROFILE_DOWN]));
	char line[300];
	CHECK(profile_tc_line(&p, PROFILE_UP, "v", line, sizeof line) == 0);
	/* 40 + ceil(2000us x 2.5 Mbit/s / 12000 bit) = 40 + 1 */
	CHECK(strcmp(line, "qdisc replace dev v root handle 1: netem limit 41 delay 1500us 500us 25% "
			   "distribution pareto rate 2500kbit") == 0);
	if (strcmp(line, "qdisc replace dev v root handle 1: netem limit 41 delay 1500us 500us 25% "
			 "distribution pareto rate 2500kbit") != 0)
		fprintf(stderr, "got '%s'\n", line);

	/* a missing file is reported with its path */
	CHECK_EQ_I64(profile_load("/nonexistent/x.profile", &p, err, sizeof err), -1);
	CHECK(strcmp(err, "/nonexistent/x.profile: No such file or directory") == 0);
}

/* Every prefix of a real profile (cut mid-key, mid-value, mid-section) is
 * either accepted or rejected with a FILE:LINE or FILE: message; under ASan
 * this also shows the parser never reads out of bounds. */
static void test_truncations(void)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/leo-satellite.profile", dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	static char text[8192];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	int bad_messages = 0, accepted = 0;
	for (size_t cut = 0; cut <= n; cut++) {
		char *t = malloc(cut + 1);
		memcpy(t, text, cut);
		t[cut] = '\0';
		struct profile p;
		char err[600] = "";
		if (profile_parse(t, "t.profile", &p, err, sizeof err) == 0)
			accepted++;
		else if (strncmp(err, "t.profile:", 10) != 0)
			bad_messages++;
		free(t);
	}
	CHECK_EQ_I64(bad_messages, 0);
	CHECK(accepted >= 1); /* the whole file, at least */
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_profile NETEM_PROFILES_DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
	test_shipped_profiles();
	test_tc_lines();
	test_json();
	test_bad_inputs();
	test_good_inline();
	test_truncations();
	return TB_CHECK_SUMMARY();
}
