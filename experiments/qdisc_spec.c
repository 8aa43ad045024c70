/* Checking qdisc specs before anything boots: the spec is later handed to
 * `tc qdisc replace dev TUN root SPEC`, so only kinds and parameters the
 * testbed knows are accepted, each value with its unit. */
#include "sweep.h"
#include "tb/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum val { V_NONE, V_COUNT, V_TIME, V_RATE, V_SIZE };

struct param {
	const char *name;
	enum val kind;
};

struct kind {
	const char *name;
	const struct param *params; /* terminated by {NULL} */
};

static const struct param no_params[] = {{NULL, V_NONE}};
static const struct param pfifo_params[] = {{"limit", V_COUNT}, {NULL, V_NONE}};
static const struct param bfifo_params[] = {{"limit", V_SIZE}, {NULL, V_NONE}};
static const struct param fq_codel_params[] = {
	{"limit", V_COUNT}, {"flows", V_COUNT},  {"target", V_TIME}, {"interval", V_TIME},
	{"quantum", V_COUNT}, {"memory_limit", V_SIZE}, {"ecn", V_NONE}, {"noecn", V_NONE},
	{NULL, V_NONE}};
static const struct param cake_params[] = {
	{"bandwidth", V_RATE},    {"rtt", V_TIME},          {"memlimit", V_SIZE},
	{"unlimited", V_NONE},    {"besteffort", V_NONE},   {"diffserv3", V_NONE},
	{"diffserv4", V_NONE},    {"diffserv8", V_NONE},    {"flowblind", V_NONE},
	{"srchost", V_NONE},      {"dsthost", V_NONE},      {"hosts", V_NONE},
	{"flows", V_NONE},        {"dual-srchost", V_NONE}, {"dual-dsthost", V_NONE},
	{"triple-isolate", V_NONE}, {"nat", V_NONE},        {"nonat", V_NONE},
	{"wash", V_NONE},         {"nowash", V_NONE},       {"ack-filter", V_NONE},
	{"no-ack-filter", V_NONE}, {NULL, V_NONE}};
static const struct param fq_params[] = {
	{"limit", V_COUNT}, {"flow_limit", V_COUNT}, {"quantum", V_COUNT}, {"maxrate", V_RATE},
	{NULL, V_NONE}};

static const struct kind kinds[] = {
	{"noqueue", no_params},   {"pfifo_fast", no_params},     {"pfifo", pfifo_params},
	{"bfifo", bfifo_params},  {"fq_codel", fq_codel_params}, {"cake", cake_params},
	{"fq", fq_params},        {NULL, NULL}};

/* number followed by one of the units (or none when units is NULL) */
static int number_with_unit(const char *s, const char *const *units)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0 || (!units && (*end || v < 1 || v != (double)(long long)v)))
		return 0;
	if (!units)
		return v <= 10000000;
	for (; *units; units++)
		if (strcmp(end, *units) == 0)
			return v > 0;
	return 0;
}

static int value_ok(enum val kind, const char *v)
{
	static const char *const time_units[] = {"us", "ms", "s", NULL};
	static const char *const rate_units[] = {"bit", "kbit", "mbit", "gbit", NULL};
	static const char *const size_units[] = {"b", "kb", "mb", "k", "m", "", NULL};
	switch (kind) {
	case V_COUNT: return number_with_unit(v, NULL);
	case V_TIME: return number_with_unit(v, time_units);
	case V_RATE: return number_with_unit(v, rate_units);
	case V_SIZE: return number_with_unit(v, size_units);
	case V_NONE: break;
	}
	return 0;
}

static const char *unit_hint(enum val kind)
{
	switch (kind) {
	case V_COUNT: return "a whole number of packets";
	case V_TIME: return "a time with unit us, ms or s";
	case V_RATE: return "a rate with unit bit, kbit, mbit or gbit";
	case V_SIZE: return "a size in bytes (b, kb, mb)";
	case V_NONE: break;
	}
	return "";
}

int qdisc_spec_check(const char *spec, char *err, size_t errlen)
{
	char copy[SWEEP_VALUE_LEN];
	if (strlen(spec) >= sizeof copy) {
		tb_errbuf(err, errlen, "qdisc spec too long");
		return -1;
	}
	strcpy(copy, spec);
	char *save = NULL;
	char *tok = strtok_r(copy, " \t", &save);
	if (!tok) {
		tb_errbuf(err, errlen, "empty qdisc spec");
		return -1;
	}
	const struct kind *k = kinds;
	while (k->name && strcmp(k->name, tok))
		k++;
	if (!k->name) {
		tb_errbuf(err, errlen,
			  "unknown qdisc '%s' (known: noqueue, pfifo_fast, pfifo, bfifo, fq_codel, cake, fq)",
			  tok);
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		const struct param *p = k->params;
		while (p->name && strcmp(p->name, tok))
			p++;
		if (!p->name) {
			tb_errbuf(err, errlen, "qdisc %s has no parameter '%s'", k->name, tok);
			return -1;
		}
		if (p->kind == V_NONE)
			continue;
		const char *v = strtok_r(NULL, " \t", &save);
		if (!v || !value_ok(p->kind, v)) {
			tb_errbuf(err, errlen, "qdisc %s: '%s' needs %s, got '%s'", k->name, p->name,
				  unit_hint(p->kind), v ? v : "nothing");
			return -1;
		}
	}
	return 0;
}
