/* Rings in units of the bandwidth-delay product: resolved per VPN and
 * profile from the table the runner passes, rounded, at least 1, values that
 * meet counted once; a missing BDP or a bad value refused with the line. The
 * expected rings are worked out by hand beside each check. */
#include "sweep.h"
#include "tb/check.h"

#include <stdio.h>
#include <string.h>

static const char *const kernels[] = {"stock", "nodrop-v2", NULL};
static const char *const profiles[] = {"lan", "lab-rtt-120", "de-us", NULL};
static struct sweep s;

static const char *ring_of(int matrix, int i) { return s.matrix[matrix].axis[AXIS_RING].values[i]; }

static void test_fraction_syntax(void)
{
	double f = 0;
	CHECK(sweep_ring_bdp_fraction("0.27bdp", &f) == 1);
	CHECK(f > 0.2699 && f < 0.2701);
	CHECK(sweep_ring_bdp_fraction("2 bdp", &f) == 1);
	CHECK(f == 2.0);
	CHECK(sweep_ring_bdp_fraction("bdp", &f) == 0);
	CHECK(sweep_ring_bdp_fraction("0bdp", &f) == 0);
	CHECK(sweep_ring_bdp_fraction("-1bdp", &f) == 0);
	CHECK(sweep_ring_bdp_fraction("101bdp", &f) == 0);
	CHECK(sweep_ring_bdp_fraction("0.5 BDP", &f) == 0);
	CHECK(sweep_ring_bdp_fraction("25", &f) == 0);

	struct sweep_bdp b;
	char why[256];
	CHECK(sweep_bdp_parse("openvpn:lab-rtt-120=217.5", &b, why, sizeof why) == 0);
	CHECK(strcmp(b.vpn, "openvpn") == 0 && strcmp(b.profile, "lab-rtt-120") == 0);
	CHECK(b.packets == 217.5);
	CHECK(sweep_bdp_parse("openvpn=217", &b, why, sizeof why) == -1);
	CHECK(sweep_bdp_parse(":lan=2", &b, why, sizeof why) == -1);
	CHECK(sweep_bdp_parse("openvpn:=2", &b, why, sizeof why) == -1);
	CHECK(sweep_bdp_parse("openvpn:lan=x", &b, why, sizeof why) == -1);
}

static void test_resolve(void)
{
	/* openvpn at lab-rtt-120: 21.75 Mbit/s * 0.120 s / 12000 bit = 217.5
	 * packets; wireguard-go: 18 Mbit/s -> 180. */
	static const struct sweep_bdp table[] = {
		{"openvpn", "lab-rtt-120", 217.5}, {"wireguard-go", "lab-rtt-120", 180.0},
		{"openvpn", "de-us", 200.0}};
	const struct sweep_known known = {.kernels = kernels, .profiles = profiles, .bdp = table, .nbdp = 3};
	const char *text = "[sweep]\nname = bdp\n"
			   "[matrix]\n"
			   "kernel = stock, nodrop-v2\n"
			   "ring = 0.0054bdp, 0.001bdp, 0.27 bdp, 500\n"
			   "profile = lab-rtt-120, de-us\n"
			   "vpn = openvpn\n"
			   "traffic = tcp\n"
			   "[matrix]\n"
			   "ring = 0.27bdp\n"
			   "profile = lab-rtt-120\n"
			   "vpn = wireguard-go\n"
			   "[matrix]\n"
			   "ring = 25\n";
	char err[512] = "";
	CHECK(sweep_parse(text, "t.sweep", &known, &s, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "unexpected: %s\n", err);
	/* the first section became one matrix per profile; the others stay */
	CHECK_EQ_I64(s.nmatrix, 4);
	CHECK(strcmp(s.matrix[0].axis[AXIS_PROFILE].values[0], "lab-rtt-120") == 0);
	CHECK_EQ_I64(s.matrix[0].axis[AXIS_PROFILE].count, 1);
	/* 0.0054 * 217.5 = 1.17 -> 1; 0.001 * 217.5 = 0.2 -> 1 (the same ring:
	 * once); 0.27 * 217.5 = 58.7 -> 59; 500 as given */
	CHECK_EQ_I64(s.matrix[0].axis[AXIS_RING].count, 3);
	CHECK(strcmp(ring_of(0, 0), "1") == 0);
	CHECK(strcmp(ring_of(0, 1), "59") == 0);
	CHECK(strcmp(ring_of(0, 2), "500") == 0);
	/* de-us: 0.0054 * 200 = 1.08 -> 1, 0.27 * 200 = 54 */
	CHECK(strcmp(s.matrix[1].axis[AXIS_PROFILE].values[0], "de-us") == 0);
	CHECK(strcmp(ring_of(1, 1), "54") == 0);
	/* wireguard-go: 0.27 * 180 = 48.6 -> 49 */
	CHECK(strcmp(s.matrix[2].axis[AXIS_VPN].values[0], "wireguard-go") == 0);
	CHECK(strcmp(ring_of(2, 0), "49") == 0);
	CHECK(strcmp(ring_of(3, 0), "25") == 0);
	/* 2 kernels * 3 rings at each profile, and one run (the default kernel)
	 * in each of the last two matrices: 6 + 6 + 1 + 1 */
	CHECK_EQ_I64(sweep_point_count(&s), 14);
	/* point keys carry the ring in packets */
	struct sweep_point pt;
	char key[1024];
	sweep_point(&s, 1, &pt);
	sweep_point_key(&s, &pt, key, sizeof key);
	CHECK(strstr(key, "ring=59;") != NULL);
	CHECK(strstr(s.bdp_notes, "ring 0.27bdp: openvpn at lab-rtt-120 -> 59 packets (BDP 217.5)") != NULL);
}

static void test_refused(void)
{
	static const struct sweep_bdp table[] = {{"openvpn", "lab-rtt-120", 217.5}};
	const struct sweep_known known = {.kernels = kernels, .profiles = profiles, .bdp = table, .nbdp = 1};
	char err[512] = "";
	/* no BDP for wireguard-go: says what to do, names the line */
	CHECK(sweep_parse("[matrix]\nprofile = lab-rtt-120\nvpn = wireguard-go\nring = 0.27bdp\n", "t.sweep",
			  &known, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "t.sweep:4:") != NULL);
	CHECK(strstr(err, "--capacity wireguard-go=MBIT") != NULL);
	/* no table at all (a plain check) */
	const struct sweep_known none = {.kernels = kernels, .profiles = profiles};
	CHECK(sweep_parse("[matrix]\nring = 0.5bdp\n", "t.sweep", &none, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "calibrate") != NULL);
	/* ... unless only the name is wanted */
	const struct sweep_known name_only = {.bdp_unresolved_ok = 1};
	CHECK(sweep_parse("[sweep]\nname = n1\n[matrix]\nring = 0.5bdp\n", "t.sweep", &name_only, &s, err,
			  sizeof err) == 0);
	CHECK(strcmp(s.name, "n1") == 0);
	/* a value that is neither */
	CHECK(sweep_parse("[matrix]\nring = 0.5bdq\n", "t.sweep", &known, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "t.sweep:2: ring must be") != NULL);
	/* too many packets: 100 * 217.5 = 21750 is fine, a huge BDP is not */
	static const struct sweep_bdp huge[] = {{"openvpn", "lan", 5e6}};
	const struct sweep_known big = {.bdp = huge, .nbdp = 1};
	CHECK(sweep_parse("[matrix]\nring = 1bdp\n", "t.sweep", &big, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "more than 100000") != NULL);
	/* a profile without delay has no BDP to scale by */
	static const struct sweep_bdp zero[] = {{"openvpn", "lan", 0}};
	const struct sweep_known nodelay = {.bdp = zero, .nbdp = 1};
	CHECK(sweep_parse("[matrix]\nring = 1bdp\n", "t.sweep", &nodelay, &s, err, sizeof err) == -1);
	CHECK(strstr(err, "t.sweep:2: profile lan has a bandwidth-delay product of 0.00 packets") != NULL);
}

/* Rings in the paper's lab packets: one scale per VPN, the same packets at
 * every profile (lan included: no BDP is needed). */
static void test_lab(void)
{
	double n = 0;
	CHECK(sweep_ring_lab_packets("500lab", &n) == 1);
	CHECK(n == 500.0);
	CHECK(sweep_ring_lab_packets("10 lab", &n) == 1);
	CHECK(n == 10.0);
	CHECK(sweep_ring_lab_packets("lab", &n) == 0);
	CHECK(sweep_ring_lab_packets("0lab", &n) == 0);
	CHECK(sweep_ring_lab_packets("100001lab", &n) == 0);
	CHECK(sweep_ring_lab_packets("500bdp", &n) == 0);
	struct sweep_lab_scale l;
	char why[256];
	CHECK(sweep_lab_scale_parse("openvpn=0.0806", &l, why, sizeof why) == 0);
	CHECK(strcmp(l.vpn, "openvpn") == 0 && l.ratio == 0.0806);
	CHECK(sweep_lab_scale_parse("openvpn=0", &l, why, sizeof why) == -1);
	CHECK(sweep_lab_scale_parse("=0.1", &l, why, sizeof why) == -1);
	CHECK(sweep_lab_scale_parse("openvpn", &l, why, sizeof why) == -1);
	CHECK(strstr(why, "--lab-scale wants VPN=RATIO") != NULL);

	/* openvpn 33.6 of the paper's 416.9 Mbit/s: 500 * 0.080595 = 40.3 -> 40 (noted
	 * with 4 digits: 0.08059)
	 * at both RTTs; wireguard-go 14.7 of 787.3: 500 * 0.018672 = 9.3 -> 9;
	 * 10lab for wireguard-go: 0.19 -> 1 (at least one packet) */
	static const struct sweep_lab_scale scale[] = {{"openvpn", 33.6 / 416.9}, {"wireguard-go", 14.7 / 787.3}};
	const struct sweep_known known = {.kernels = kernels, .profiles = profiles, .lab = scale, .nlab = 2};
	const char *text = "[sweep]\nname = lab\n"
			   "[matrix]\n"
			   "ring = 500lab, 500\n"
			   "profile = lab-rtt-120, lan\n"
			   "vpn = openvpn, wireguard-go\n"
			   "traffic = tcp\n"
			   "[matrix]\n"
			   "ring = 10lab\n"
			   "vpn = wireguard-go\n";
	char err[512] = "";
	CHECK(sweep_parse(text, "t.sweep", &known, &s, err, sizeof err) == 0);
	if (err[0])
		fprintf(stderr, "unexpected: %s\n", err);
	/* 2 VPNs x 2 profiles, VPN-major, then the last matrix */
	CHECK_EQ_I64(s.nmatrix, 5);
	CHECK(strcmp(ring_of(0, 0), "40") == 0 && strcmp(ring_of(0, 1), "500") == 0);
	CHECK(strcmp(s.matrix[1].axis[AXIS_PROFILE].values[0], "lan") == 0);
	CHECK(strcmp(ring_of(1, 0), "40") == 0);
	CHECK(strcmp(s.matrix[2].axis[AXIS_VPN].values[0], "wireguard-go") == 0);
	CHECK(strcmp(ring_of(2, 0), "9") == 0 && strcmp(ring_of(3, 0), "9") == 0);
	CHECK(strcmp(ring_of(4, 0), "1") == 0);
	CHECK(strstr(s.bdp_notes, "ring 500lab: openvpn at lab-rtt-120 -> 40 packets (scale 0.08059 of the paper's lab)") != NULL);

	/* no scale for wireguard-go: refused, names the line and the way out */
	const struct sweep_known only_ovpn = {.kernels = kernels, .profiles = profiles, .lab = scale, .nlab = 1};
	CHECK(sweep_parse("[matrix]\nvpn = wireguard-go\nring = 500lab\n", "t.sweep", &only_ovpn, &s, err,
			  sizeof err) == -1);
	CHECK(strstr(err, "t.sweep:3: rings in the paper's lab packets need wireguard-go's capacity") != NULL);
	CHECK(strstr(err, "--capacity wireguard-go=MBIT") != NULL);
	/* a BDP ring beside it still needs its BDP */
	CHECK(sweep_parse("[matrix]\nring = 500lab, 0.27bdp\nprofile = lab-rtt-120\n", "t.sweep", &known, &s, err,
			  sizeof err) == -1);
	CHECK(strstr(err, "bandwidth-delay product need openvpn's capacity") != NULL);
	/* ... and the name alone is available before a calibration */
	const struct sweep_known name_only = {.bdp_unresolved_ok = 1};
	CHECK(sweep_parse("[sweep]\nname = n2\n[matrix]\nring = 500lab\n", "t.sweep", &name_only, &s, err,
			  sizeof err) == 0);
}

int main(void)
{
	test_fraction_syntax();
	test_resolve();
	test_refused();
	test_lab();
	return TB_CHECK_SUMMARY();
}
