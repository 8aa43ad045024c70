/* tb-profile: check WAN profiles and turn them into tc commands.
 *
 *   tb-profile show FILE [--json]
 *   tb-profile tc FILE --dir up|down --dev DEV
 *   tb-profile list DIR [--json]
 *
 * `tc` prints the arguments for `tc` (one command per line, nothing for a
 * direction without impairment); scenario/scenario-lib.sh runs them in the wan
 * namespace. Exit status: 0 ok, 1 an invalid profile, 2 bad usage. */
#include "profile.h"
#include "tb/err.h"

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-profile show FILE [--json]\n"
		"       tb-profile tc FILE --dir up|down --dev DEV\n"
		"       tb-profile list DIR [--json]\n"
		"\n"
		"Parses and validates WAN profiles (netem-profiles/*.profile).\n"
		"  show   the parsed values, or JSON with --json (for the results store)\n"
		"  tc     the tc arguments that apply one direction to DEV (one line per\n"
		"         command, no output for a direction without impairment)\n"
		"  list   every *.profile in DIR, checked, one line each (or a JSON array)\n"
		"Exit status: 0 ok, 1 invalid profile, 2 usage error.\n");
}

static int valid_dev_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static int load_or_report(const char *path, struct profile *p)
{
	char err[600];
	if (profile_load(path, p, err, sizeof err) == 0)
		return 0;
	fprintf(stderr, "%s: %s\n", tb_progname(), err);
	return -1;
}

static int cmd_show(const char *file, int json)
{
	struct profile p;
	if (load_or_report(file, &p))
		return 1;
	if (json)
		profile_print_json(stdout, &p);
	else
		profile_print_summary(stdout, &p);
	return 0;
}

static int cmd_tc(const char *file, const char *dir, const char *dev)
{
	enum profile_dir_id d;
	if (!dir || !dev)
		tb_usage_die("tc needs --dir up|down and --dev DEV");
	if (strcmp(dir, "up") == 0)
		d = PROFILE_UP;
	else if (strcmp(dir, "down") == 0)
		d = PROFILE_DOWN;
	else
		tb_usage_die("--dir %s: use up or down", dir);
	if (!valid_dev_name(dev))
		tb_usage_die("--dev %s: not a network device name (1-15 of A-Z a-z 0-9 - _ .)", dev);
	struct profile p;
	if (load_or_report(file, &p))
		return 1;
	char line[600];
	if (profile_tc_line(&p, d, dev, line, sizeof line))
		tb_die("%s: tc line too long", file);
	if (line[0])
		printf("%s\n", line);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_list(const char *dirpath, int json)
{
	DIR *dir = opendir(dirpath);
	if (!dir)
		tb_die_errno("%s", dirpath);
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len > 8 && strcmp(e->d_name + len - 8, ".profile") == 0 && n < 256)
			names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	qsort(names, (size_t)n, sizeof names[0], by_name);
	int bad = 0;
	if (json)
		fputs("[\n", stdout);
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
		struct profile p;
		if (load_or_report(path, &p)) {
			bad = 1;
		} else if (json) {
			if (i)
				fputs(",", stdout);
			profile_print_json(stdout, &p);
		} else {
			char up[512], down[512];
			profile_netem_args(&p.dir[PROFILE_UP], up, sizeof up);
			profile_netem_args(&p.dir[PROFILE_DOWN], down, sizeof down);
			printf("%-16s bottleneck=%-4s up: %s | down: %s\n", p.name,
			       p.bottleneck == BOTTLENECK_LINK ? "link" : "vpn", up[0] ? up : "-",
			       down[0] ? down : "-");
		}
		free(names[i]);
	}
	if (json)
		fputs("]\n", stdout);
	if (n == 0)
		tb_die("%s: no *.profile files", dirpath);
	return bad;
}

int main(int argc, char **argv)
{
	tb_set_progname("tb-profile");
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"dir", required_argument, NULL, 'd'},
					     {"dev", required_argument, NULL, 'D'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int json = 0, c;
	const char *dir = NULL, *dev = NULL;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'd': dir = optarg; break;
		case 'D': dev = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind], *arg = argv[optind + 1];
	if (strcmp(cmd, "show") == 0 && !dir && !dev)
		return cmd_show(arg, json);
	if (strcmp(cmd, "tc") == 0 && !json)
		return cmd_tc(arg, dir, dev);
	if (strcmp(cmd, "list") == 0 && !dir && !dev)
		return cmd_list(arg, json);
	tb_usage_die("'%s' with these options: see usage", cmd);
}
