/* Loading a generated clip and its frame index (format in tb/clip.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tb/clip.h"
#include "tb/err.h"

char *tb_clip_dir(char *buf, size_t len)
{
	const char *cache = getenv("TB_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	if (cache && *cache)
		n = snprintf(buf, len, "%s/clips", cache);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/tun-nodrop-testbed/clips", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.cache/tun-nodrop-testbed/clips", home);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The .h264 and .idx paths for a name or path. */
static int resolve(const char *name_or_path, char *h264, char *idx, size_t len, char *err, size_t errlen)
{
	int n;
	if (!*name_or_path) {
		tb_errbuf(err, errlen, "empty clip name");
		return -1;
	}
	if (strchr(name_or_path, '/') || ends_with(name_or_path, ".h264")) {
		n = snprintf(h264, len, "%s", name_or_path);
	} else {
		char dir[4096];
		if (!tb_clip_dir(dir, sizeof dir)) {
			tb_errbuf(err, errlen, "cannot find the clip directory: set TB_CACHE or HOME");
			return -1;
		}
		n = snprintf(h264, len, "%s/%s.h264", dir, name_or_path);
	}
	if (n <= 0 || (size_t)n >= len) {
		tb_errbuf(err, errlen, "clip path too long");
		return -1;
	}
	size_t base = ends_with(h264, ".h264") ? strlen(h264) - 5 : strlen(h264);
	n = snprintf(idx, len, "%.*s.idx", (int)base, h264);
	if (n <= 0 || (size_t)n >= len) {
		tb_errbuf(err, errlen, "clip path too long");
		return -1;
	}
	return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		tb_errbuf(err, errlen, "cannot open clip %s: %s%s", path, strerror(errno),
			  errno == ENOENT ? " (generate clips with datasets/generate.sh)" : "");
		return -1;
	}
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			tb_errbuf(err, errlen, "out of memory reading %s", path);
			fclose(f);
			return -1;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *grown = realloc(buf, cap);
		if (!grown)
			free(buf);
		buf = grown;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		tb_errbuf(err, errlen, "error reading %s", path);
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static int parse_header(const char *line, struct tb_clip *c, size_t *frames, size_t *bytes)
{
	return sscanf(line, "# clip=%127s width=%d height=%d fps=%d/%d frames=%zu bytes=%zu", c->name,
		      &c->width, &c->height, &c->fps_num, &c->fps_den, frames, bytes) == 7 &&
			       c->width > 0 && c->height > 0 && c->fps_num > 0 && c->fps_den > 0
		       ? 0
		       : -1;
}

/* Read the index, checking that its frames tile data_len bytes. */
static int read_index(const char *path, struct tb_clip *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		tb_errbuf(err, errlen, "cannot open clip index %s: %s", path, strerror(errno));
		return -1;
	}
	char line[512];
	size_t want_frames = 0, want_bytes = 0, n = 0, lineno = 0, next_off = 0;
	int have_header = 0, rc = -1;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#') {
			if (strncmp(line, "# clip=", 7) == 0) {
				if (have_header) {
					tb_errbuf(err, errlen, "%s:%zu: second header", path, lineno);
					goto out;
				}
				if (parse_header(line, c, &want_frames, &want_bytes)) {
					tb_errbuf(err, errlen, "%s:%zu: malformed header", path, lineno);
					goto out;
				}
				if (want_frames == 0 || want_frames > 10000000) {
					tb_errbuf(err, errlen, "%s: bad frame count %zu", path, want_frames);
					goto out;
				}
				c->frames = calloc(want_frames, sizeof *c->frames);
				if (!c->frames) {
					tb_errbuf(err, errlen, "out of memory");
					goto out;
				}
				have_header = 1;
			}
			continue;
		}
		if (!have_header) {
			tb_errbuf(err, errlen, "%s:%zu: frame line before the '# clip=' header", path, lineno);
			goto out;
		}
		unsigned number, idr;
		char type;
		size_t off, size;
		long long pts;
		char extra;
		if (sscanf(line, "%u %c %u %zu %zu %lld %c", &number, &type, &idr, &off, &size, &pts, &extra) != 6 ||
		    (type != 'I' && type != 'P' && type != 'B') || idr > 1) {
			tb_errbuf(err, errlen, "%s:%zu: malformed frame line", path, lineno);
			goto out;
		}
		if (n >= want_frames || number != n || off != next_off || size == 0) {
			tb_errbuf(err, errlen, "%s:%zu: frame %u out of order, overlapping or extra", path,
				  lineno, number);
			goto out;
		}
		c->frames[n] = (struct tb_clip_frame){.number = number, .type = type, .idr = (uint8_t)idr,
						      .offset = off, .size = size, .pts_ns = pts};
		next_off = off + size;
		n++;
	}
	if (!have_header) {
		tb_errbuf(err, errlen, "%s: no '# clip=' header", path);
	} else if (n != want_frames) {
		tb_errbuf(err, errlen, "%s: %zu frames listed, header says %zu", path, n, want_frames);
	} else if (next_off != c->data_len || want_bytes != c->data_len) {
		tb_errbuf(err, errlen, "%s: index covers %zu bytes but the clip has %zu (stale index?)", path,
			  next_off, c->data_len);
	} else {
		c->frame_count = n;
		c->duration_ns = (int64_t)n * 1000000000LL * c->fps_den / c->fps_num;
		rc = 0;
	}
out:
	fclose(f);
	return rc;
}

int tb_clip_load(const char *name_or_path, struct tb_clip *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	char idx[4096];
	if (resolve(name_or_path, c->path, idx, sizeof idx, err, errlen) ||
	    read_file(c->path, &c->data, &c->data_len, err, errlen) || read_index(idx, c, err, errlen)) {
		tb_clip_free(c);
		return -1;
	}
	return 0;
}

void tb_clip_free(struct tb_clip *c)
{
	free(c->frames);
	free(c->data);
	memset(c, 0, sizeof *c);
}
