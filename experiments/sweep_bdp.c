/* Rings as fractions of the bandwidth-delay product. The paper's rings (10
 * .. 5000 packets) sit at fixed fractions of its BDP (about 1850 packets at
 * 120 ms); a guest VPN under TCG carries a fraction of the paper's rate, so
 * the same absolute ring is a larger share of its BDP and hides the effect.
 * "ring = 0.27bdp" asks for the paper's ring 500 at this machine's scale:
 * the runner passes each VPN's BDP at each profile's RTT (from its
 * calibration), and the ring is resolved to packets here, before points
 * exist, so the point keys, shards and the runs table see whole rings. */
#include "sweep.h"
#include "tb/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sweep_ring_bdp_fraction(const char *v, double *frac)
{
	size_t n = strlen(v);
	if (n < 4 || strcmp(v + n - 3, "bdp"))
		return 0;
	char num[SWEEP_VALUE_LEN];
	n -= 3;
	while (n && v[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof num)
		return 0;
	memcpy(num, v, n);
	num[n] = 0;
	double f;
	if (tb_parse_double(num, 0, 100, &f) || !(f > 0))
		return 0;
	*frac = f;
	return 1;
}

int sweep_bdp_parse(const char *arg, struct sweep_bdp *out, char *why, size_t whylen)
{
	const char *colon = strchr(arg, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	size_t vl = colon ? (size_t)(colon - arg) : 0, pl = eq ? (size_t)(eq - colon - 1) : 0;
	if (!colon || !eq || !vl || !pl || vl >= sizeof out->vpn || pl >= sizeof out->profile ||
	    tb_parse_double(eq + 1, 0, 1e9, &out->packets)) {
		tb_errbuf(why, whylen, "--bdp wants VPN:PROFILE=PACKETS (e.g. openvpn:lab-rtt-120=217.5), got '%s'",
			  arg);
		return -1;
	}
	memcpy(out->vpn, arg, vl);
	out->vpn[vl] = 0;
	memcpy(out->profile, colon + 1, pl);
	out->profile[pl] = 0;
	return 0;
}

static const struct sweep_bdp *bdp_of(const struct sweep_known *known, const char *vpn,
				      const char *profile)
{
	for (int i = 0; known && i < known->nbdp; i++)
		if (!strcmp(known->bdp[i].vpn, vpn) && !strcmp(known->bdp[i].profile, profile))
			return &known->bdp[i];
	return NULL;
}

static int has_bdp_ring(const struct sweep_matrix *m)
{
	double f;
	for (int v = 0; v < m->axis[AXIS_RING].count; v++)
		if (sweep_ring_bdp_fraction(m->axis[AXIS_RING].values[v], &f))
			return 1;
	return 0;
}

static void note(struct sweep *s, const char *fmt, double frac, const char *vpn, const char *profile,
		 long long ring, double bdp)
{
	size_t off = strlen(s->bdp_notes);
	if (off + 1 < sizeof s->bdp_notes)
		snprintf(s->bdp_notes + off, sizeof s->bdp_notes - off, fmt, frac, vpn, profile, ring, bdp);
}

/* Matrix m, its VPN and profile fixed to one value each, rings resolved with
 * that pair's BDP. Returns 0, or -1 when the table has no such pair. */
static int resolve_one(struct sweep *s, struct sweep_matrix *m, const struct sweep_known *known,
		       const char *filename, char *err, size_t errlen)
{
	const char *vpn = m->axis[AXIS_VPN].values[0], *profile = m->axis[AXIS_PROFILE].values[0];
	const struct sweep_bdp *b = bdp_of(known, vpn, profile);
	struct sweep_axis_values *ring = &m->axis[AXIS_RING];
	if (!b) {
		tb_errbuf(err, errlen,
			  "%s:%d: rings in units of the bandwidth-delay product need %s's capacity (for "
			  "profile %s): calibrate it first (./testbed calibrate --vpn %s --db DB, then sweep "
			  "--db DB) or give sweep --capacity %s=MBIT",
			  filename, ring->line, vpn, profile, vpn, vpn);
		return -1;
	}
	if (b->packets < 0.5) {
		tb_errbuf(err, errlen,
			  "%s:%d: profile %s has a bandwidth-delay product of %.2f packets for %s (no delay): "
			  "give its rings in packets",
			  filename, ring->line, profile, b->packets, vpn);
		return -1;
	}
	struct sweep_axis_values out = {.count = 0, .line = ring->line};
	for (int v = 0; v < ring->count; v++) {
		double f;
		char val[SWEEP_VALUE_LEN];
		if (sweep_ring_bdp_fraction(ring->values[v], &f)) {
			long long r = llround(f * b->packets);
			if (r < 1)
				r = 1;
			if (r > 100000) {
				tb_errbuf(err, errlen, "%s:%d: ring %s is %lld packets for %s at %s, more than 100000",
					  filename, ring->line, ring->values[v], r, vpn, profile);
				return -1;
			}
			snprintf(val, sizeof val, "%lld", r);
			note(s, "ring %gbdp: %s at %s -> %lld packets (BDP %.1f)\n", f, vpn, profile, r,
			     b->packets);
		} else {
			snprintf(val, sizeof val, "%s", ring->values[v]);
		}
		int dup = 0;
		for (int i = 0; i < out.count; i++)
			dup |= !strcmp(out.values[i], val);
		if (!dup)
			strcpy(out.values[out.count++], val);
	}
	*ring = out;
	return 0;
}

int sweep_resolve_bdp(struct sweep *s, const struct sweep_known *known, const char *filename,
		      char *err, size_t errlen)
{
	s->bdp_notes[0] = 0;
	if (known && known->bdp_unresolved_ok)
		return 0;
	for (int i = 0; i < s->nmatrix; i++) {
		struct sweep_matrix m = s->matrix[i];
		if (!has_bdp_ring(&m))
			continue;
		const struct sweep_axis_values vpns = m.axis[AXIS_VPN], profiles = m.axis[AXIS_PROFILE];
		int parts = vpns.count * profiles.count;
		if (s->nmatrix - 1 + parts > SWEEP_MAX_MATRICES) {
			tb_errbuf(err, errlen,
				  "%s:%d: rings in units of the BDP make one matrix per VPN and profile: more than %d in all",
				  filename, m.line, SWEEP_MAX_MATRICES);
			return -1;
		}
		/* make room: the parts take matrix i's place, in VPN-major order */
		memmove(&s->matrix[i + parts], &s->matrix[i + 1],
			(size_t)(s->nmatrix - i - 1) * sizeof s->matrix[0]);
		s->nmatrix += parts - 1;
		for (int v = 0; v < vpns.count; v++)
			for (int p = 0; p < profiles.count; p++) {
				struct sweep_matrix *part = &s->matrix[i + v * profiles.count + p];
				*part = m;
				part->axis[AXIS_VPN].count = 1;
				strcpy(part->axis[AXIS_VPN].values[0], vpns.values[v]);
				part->axis[AXIS_PROFILE].count = 1;
				strcpy(part->axis[AXIS_PROFILE].values[0], profiles.values[p]);
				if (resolve_one(s, part, known, filename, err, errlen))
					return -1;
			}
		i += parts - 1;
	}
	return 0;
}
