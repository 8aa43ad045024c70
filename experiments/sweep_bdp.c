/* Rings as fractions of the bandwidth-delay product. The paper's rings (10
 * .. 5000 packets) sit at fixed fractions of its BDP (about 1850 packets at
 * 120 ms); a guest VPN under TCG carries a fraction of the paper's rate, so
 * the same absolute ring is a larger share of its BDP and hides the effect.
 * "ring = 0.27bdp" asks for the paper's ring 500 at this machine's scale:
 * the runner passes each VPN's BDP at each profile's RTT (from its
 * calibration), and the ring is resolved to packets here, before points
 * exist, so the point keys, shards and the runs table see whole rings.
 * "ring = 500lab" is the paper's lab ring (figure 3: ring 500 at every RTT)
 * at this machine's scale: 500 x our capacity / the paper's lab capacity of
 * the VPN, the same packets at every profile. */
#include "sweep.h"
#include "tb/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "NUMBERunit" or "NUMBER unit" with lo <= NUMBER <= hi: 1 and *x, else 0. */
static int number_in_unit(const char *v, const char *unit, double lo, double hi, double *x)
{
	size_t n = strlen(v), ul = strlen(unit);
	if (n < ul + 1 || strcmp(v + n - ul, unit))
		return 0;
	char num[SWEEP_VALUE_LEN];
	n -= ul;
	while (n && v[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof num)
		return 0;
	memcpy(num, v, n);
	num[n] = 0;
	double f;
	if (tb_parse_double(num, lo, hi, &f))
		return 0;
	*x = f;
	return 1;
}

int sweep_ring_bdp_fraction(const char *v, double *frac)
{
	double f;
	if (!number_in_unit(v, "bdp", 0, 100, &f) || !(f > 0))
		return 0;
	*frac = f;
	return 1;
}

int sweep_ring_lab_packets(const char *v, double *packets)
{
	return number_in_unit(v, "lab", 1, 100000, packets);
}

int sweep_lab_scale_parse(const char *arg, struct sweep_lab_scale *out, char *why, size_t whylen)
{
	const char *eq = strchr(arg, '=');
	size_t vl = eq ? (size_t)(eq - arg) : 0;
	if (!eq || !vl || vl >= sizeof out->vpn || tb_parse_double(eq + 1, 0, 1e3, &out->ratio) ||
	    !(out->ratio > 0)) {
		tb_errbuf(why, whylen, "--lab-scale wants VPN=RATIO, our capacity over the paper's lab capacity "
				       "(e.g. openvpn=0.0806), got '%s'",
			  arg);
		return -1;
	}
	memcpy(out->vpn, arg, vl);
	out->vpn[vl] = 0;
	return 0;
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

static const struct sweep_lab_scale *lab_of(const struct sweep_known *known, const char *vpn)
{
	for (int i = 0; known && i < known->nlab; i++)
		if (!strcmp(known->lab[i].vpn, vpn))
			return &known->lab[i];
	return NULL;
}

/* Has matrix m rings in BDP units (want_lab 0) or in lab packets (1)? */
static int has_ring_in(const struct sweep_matrix *m, int want_lab)
{
	double f;
	for (int v = 0; v < m->axis[AXIS_RING].count; v++)
		if (want_lab ? sweep_ring_lab_packets(m->axis[AXIS_RING].values[v], &f)
			     : sweep_ring_bdp_fraction(m->axis[AXIS_RING].values[v], &f))
			return 1;
	return 0;
}

static int has_scaled_ring(const struct sweep_matrix *m) { return has_ring_in(m, 0) || has_ring_in(m, 1); }

static void note(struct sweep *s, const char *fmt, double given, const char *vpn, const char *profile,
		 long long ring, double scale)
{
	size_t off = strlen(s->bdp_notes);
	if (off + 1 < sizeof s->bdp_notes)
		snprintf(s->bdp_notes + off, sizeof s->bdp_notes - off, fmt, given, vpn, profile, ring, scale);
}

/* Matrix m, its VPN and profile fixed to one value each, rings resolved with
 * that pair's BDP and the VPN's lab scale. Returns 0, or -1 when a table
 * lacks what a ring needs. */
static int resolve_one(struct sweep *s, struct sweep_matrix *m, const struct sweep_known *known,
		       const char *filename, char *err, size_t errlen)
{
	const char *vpn = m->axis[AXIS_VPN].values[0], *profile = m->axis[AXIS_PROFILE].values[0];
	const struct sweep_bdp *b = bdp_of(known, vpn, profile);
	const struct sweep_lab_scale *lab = lab_of(known, vpn);
	struct sweep_axis_values *ring = &m->axis[AXIS_RING];
	if (has_ring_in(m, 0) && !b) {
		tb_errbuf(err, errlen,
			  "%s:%d: rings in units of the bandwidth-delay product need %s's capacity (for "
			  "profile %s): calibrate it first (./testbed calibrate --vpn %s --db DB, then sweep "
			  "--db DB) or give sweep --capacity %s=MBIT",
			  filename, ring->line, vpn, profile, vpn, vpn);
		return -1;
	}
	if (has_ring_in(m, 1) && !lab) {
		tb_errbuf(err, errlen,
			  "%s:%d: rings in the paper's lab packets need %s's capacity and the paper's lab "
			  "capacity of it: calibrate it first (./testbed calibrate --vpn %s --db DB, then "
			  "sweep --db DB) or give sweep --capacity %s=MBIT",
			  filename, ring->line, vpn, vpn, vpn);
		return -1;
	}
	if (b && has_ring_in(m, 0) && b->packets < 0.5) {
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
		int is_bdp = sweep_ring_bdp_fraction(ring->values[v], &f);
		if (is_bdp || sweep_ring_lab_packets(ring->values[v], &f)) {
			long long r = llround(is_bdp ? f * b->packets : f * lab->ratio);
			if (r < 1)
				r = 1;
			if (r > 100000) {
				tb_errbuf(err, errlen, "%s:%d: ring %s is %lld packets for %s at %s, more than 100000",
					  filename, ring->line, ring->values[v], r, vpn, profile);
				return -1;
			}
			snprintf(val, sizeof val, "%lld", r);
			if (is_bdp)
				note(s, "ring %gbdp: %s at %s -> %lld packets (BDP %.1f)\n", f, vpn, profile, r,
				     b->packets);
			else
				note(s, "ring %glab: %s at %s -> %lld packets (scale %.4g of the paper's lab)\n", f,
				     vpn, profile, r, lab->ratio);
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
		if (!has_scaled_ring(&m))
			continue;
		const struct sweep_axis_values vpns = m.axis[AXIS_VPN], profiles = m.axis[AXIS_PROFILE];
		int parts = vpns.count * profiles.count;
		if (s->nmatrix - 1 + parts > SWEEP_MAX_MATRICES) {
			tb_errbuf(err, errlen,
				  "%s:%d: rings in units of the BDP or lab packets make one matrix per VPN and profile: more than %d in all",
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
