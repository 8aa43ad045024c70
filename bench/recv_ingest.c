/* Benchmark: tb-recv's ingest path without the network and without
 * decoding: parse + reassembly + depacketizing, then the same with the
 * SQLite writer (frames_recv rows; then frames_recv + one packets row per
 * packet), then from a pcap file. The stream is a clip packetized once by
 * the sender's packetizer and replayed in loops with sequence and frame
 * numbers rewritten, so it never repeats. Prints packets per second.
 * usage: tb-bench-recv-ingest [CLIP] [PACKETS] [REPEAT] */
#include "capture.h"
#include "recv_stream.h"
#include "reasm.h"
#include "recv_store.h"
#include "tb/clip.h"
#include "tb/clock.h"
#include "tb/rtp_build.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sink {
	struct tb_recv_store *st;
	uint64_t frames;
};

static void on_frame(void *ctx, const struct tb_frame_rec *f)
{
	struct sink *s = ctx;
	s->frames++;
	if (s->st)
		tb_recv_store_frame(s->st, f, -1, f->decodable, -1);
}

static void on_pkt(void *ctx, const struct tb_pkt_rec *k)
{
	struct sink *s = ctx;
	tb_recv_store_packet(s->st, k);
}

static struct tb_recv_store *open_store(const char *path)
{
	char err[256];
	unlink(path);
	struct tb_recv_store *st = tb_recv_store_open(path, 0, "bench", getenv("TB_BENCH_BATCH") ? atoi(getenv("TB_BENCH_BATCH")) : 2000, err, sizeof err);
	if (!st) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return st;
}

/* Rates over wall time and over this process's CPU time: on a shared
 * machine the second is the steadier figure of what the code costs. */
struct rate {
	double wall, cpu;
};
static int64_t t0_wall, t0_cpu;
static void start_clock(void)
{
	t0_wall = tb_mono_ns();
	t0_cpu = tb_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}
static struct rate stop_clock(uint64_t n)
{
	double w = (double)(tb_mono_ns() - t0_wall) / 1e9, c = (double)(tb_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0_cpu) / 1e9;
	return (struct rate){ (double)n / w, (double)n / c };
}

/* mode 0: no store, 1: frames_recv, 2: frames_recv + packets */
static struct rate run_memory(struct pkts *p, size_t total, int mode, const char *db, uint64_t *frames)
{
	struct sink s = { mode ? open_store(db) : NULL, 0 };
	struct tb_reasm *r = tb_reasm_new(NULL, on_frame, mode == 2 ? on_pkt : NULL, &s);
	int64_t arrival = 2000000000;
	start_clock();
	for (size_t k = 0; k < total; k++) {
		size_t i = k % p->n;
		relabel(p, i, (uint32_t)(k / p->n));
		tb_reasm_packet(r, p->data[i], p->len[i], arrival += 10000);
	}
	tb_reasm_flush(r);
	if (s.st)
		tb_recv_store_close(s.st, NULL, 0);
	struct rate rt = stop_clock(total);
	tb_reasm_free(r);
	*frames = s.frames;
	return rt;
}

static struct tb_reasm *cap_r;
static void cap_feed(void *ctx, const uint8_t *d, size_t n, int64_t ts)
{
	(void)ctx;
	tb_reasm_packet(cap_r, d, n, ts);
}

static void write_pcap(struct pkts *p, size_t total, const char *path)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *dump = pcap_dump_open(dead, path);
	static uint8_t fr[2048];
	memset(fr, 0, 42);
	fr[12] = 0x08;
	fr[14] = 0x45; fr[23] = 17; fr[22] = 64;
	fr[36] = 0x13; fr[37] = 0x8c;  /* dport 5004 */
	for (size_t k = 0; k < total; k++) {
		size_t i = k % p->n;
		relabel(p, i, (uint32_t)(k / p->n));
		size_t ul = 8 + p->len[i], il = 20 + ul;
		fr[16] = (uint8_t)(il >> 8); fr[17] = (uint8_t)il;
		fr[38] = (uint8_t)(ul >> 8); fr[39] = (uint8_t)ul;
		memcpy(fr + 42, p->data[i], p->len[i]);
		struct pcap_pkthdr h;
		int64_t t = 2000000000LL + (int64_t)k * 10000;
		h.ts.tv_sec = t / 1000000000;
		h.ts.tv_usec = t % 1000000000;
		h.caplen = h.len = (bpf_u_int32)(42 + p->len[i]);
		pcap_dump((u_char *)dump, &h, fr);
	}
	pcap_dump_close(dump);
	pcap_close(dead);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "720p30";
	size_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	int repeat = argc > 3 ? atoi(argv[3]) : 3;
	struct tb_clip c;
	char err[512];
	if (tb_clip_load(name, &c, err, sizeof err)) {
		fprintf(stderr, "tb-bench-recv-ingest: %s (generate clips with ./testbed setup)\n", err);
		return 1;
	}
	struct pkts p;
	packetize(&c, &p);
	/* Files go to $TB_BENCH_DIR (default /tmp): point it at a tmpfs to take
	 * the disk out of the figures. */
	const char *dir = getenv("TB_BENCH_DIR") ? getenv("TB_BENCH_DIR") : "/tmp";
	char db[512], cap[512];
	snprintf(db, sizeof db, "%s/tb-bench-recv.db", dir);
	snprintf(cap, sizeof cap, "%s/tb-bench-recv.pcap", dir);
	printf("files in %s\n", dir);
	printf("clip %s: %zu packets per loop, %zu packets per run, %d runs each\n", name, p.n, total, repeat);
	printf("packets/s per run, as wall-clock rate / rate per CPU-second of this process\n");
	static const char *const names[] = { "parse+reassembly (no store)", "+ SQLite frames_recv",
					     "+ SQLite frames_recv + packets rows" };
	for (int mode = 0; mode < 3; mode++) {
		printf("%-38s", names[mode]);
		for (int k = 0; k < repeat; k++) {
			uint64_t frames;
			struct rate rt = run_memory(&p, total, mode, db, &frames);
			printf(" %8.0f/%-8.0f", rt.wall, rt.cpu);
		}
		printf("\n");
	}
	write_pcap(&p, total, cap);
	printf("%-38s", "pcap file + SQLite frames_recv");
	for (int k = 0; k < repeat; k++) {
		struct sink s = { open_store(db), 0 };
		cap_r = tb_reasm_new(NULL, on_frame, NULL, &s);
		struct tb_cap_stats st = { 0 };
		start_clock();
		tb_cap_read_file(cap, 5004, cap_feed, NULL, NULL, &st, err, sizeof err);
		tb_reasm_flush(cap_r);
		tb_recv_store_close(s.st, NULL, 0);
		struct rate rt = stop_clock(st.by_result[TB_CAP_UDP]);
		tb_reasm_free(cap_r);
		printf(" %8.0f/%-8.0f", rt.wall, rt.cpu);
	}
	printf("\n");
	unlink(cap);
	unlink(db);
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db);
	unlink(wal);
	tb_clip_free(&c);
	return 0;
}
