/* Capture reading: frames of every supported link type, IPv4/IPv6 (with an
 * extension header), VLAN tags, fragments, other ports, truncation; then a
 * pcap file written with libpcap (a packetized clip, some packets dropped,
 * noise around it) read back through tb_cap_read_file into the reassembler
 * with exact counts and arrival times taken from the capture. */
#include "capture.h"
#include "sim.h"
#include "tb/check.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Build IPv4/UDP or IPv6/UDP around a payload at buf+off; returns the end. */
static size_t put_ip_udp(uint8_t *b, size_t off, int v6, int ext_hdr, uint16_t sport, uint16_t dport,
			 const uint8_t *pl, size_t n, int frag)
{
	uint8_t *p = b + off;
	size_t ip;
	if (!v6) {
		memset(p, 0, 20);
		p[0] = 0x45;
		p[2] = (uint8_t)((20 + 8 + n) >> 8); p[3] = (uint8_t)(20 + 8 + n);
		if (frag) p[6] = 0x20;  /* more fragments */
		p[8] = 64; p[9] = 17;
		ip = 20;
	} else {
		memset(p, 0, 40);
		p[0] = 0x60;
		size_t plen = 8 + n + (ext_hdr ? 8 : 0);
		p[4] = (uint8_t)(plen >> 8); p[5] = (uint8_t)plen;
		p[6] = ext_hdr ? 60 : (frag ? 44 : 17);
		p[7] = 64;
		ip = 40;
		if (ext_hdr) {  /* destination options, 8 bytes, then UDP */
			memset(p + 40, 0, 8);
			p[40] = 17;
			ip = 48;
		}
	}
	uint8_t *u = p + ip;
	u[0] = sport >> 8; u[1] = sport & 0xff; u[2] = dport >> 8; u[3] = dport & 0xff;
	u[4] = (uint8_t)((8 + n) >> 8); u[5] = (uint8_t)(8 + n); u[6] = u[7] = 0;
	memcpy(u + 8, pl, n);
	return off + ip + 8 + n;
}

static void test_unwrap(void)
{
	uint8_t f[256];
	const uint8_t pl[] = "RTPDATA";
	const uint8_t *got;
	size_t n;
	/* Ethernet + IPv4 */
	memset(f, 0, 14); f[12] = 0x08; f[13] = 0x00;
	size_t end = put_ip_udp(f, 14, 0, 0, 1000, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_UDP);
	CHECK(n == 7 && memcmp(got, pl, 7) == 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 1000, &got, &n), TB_CAP_UDP);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 0, &got, &n), TB_CAP_UDP);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 6000, &got, &n), TB_CAP_OTHER_PORT);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end - 1, 5004, &got, &n), TB_CAP_TRUNCATED);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, 20, 5004, &got, &n), TB_CAP_TRUNCATED);
	/* Ethernet padding after a short datagram is not payload. */
	memset(f + end, 0xee, 10);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end + 10, 5004, &got, &n), TB_CAP_UDP);
	CHECK_EQ_I64(n, 7);
	/* Fragment, TCP, ARP */
	end = put_ip_udp(f, 14, 0, 0, 1000, 5004, pl, 7, 1);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_FRAGMENT);
	end = put_ip_udp(f, 14, 0, 0, 1000, 5004, pl, 7, 0);
	f[14 + 9] = 6;
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_NOT_UDP);
	f[12] = 0x08; f[13] = 0x06;
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_NOT_UDP);
	/* Two VLAN tags + IPv6 with a destination options header */
	memset(f, 0, 22);
	f[12] = 0x88; f[13] = 0xa8; f[16] = 0x81; f[17] = 0x00; f[20] = 0x86; f[21] = 0xdd;
	end = put_ip_udp(f, 22, 1, 1, 7, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_UDP);
	CHECK(n == 7 && memcmp(got, pl, 7) == 0);
	/* IPv6 fragment header */
	end = put_ip_udp(f, 22, 1, 0, 7, 5004, pl, 7, 1);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_EN10MB, f, end, 5004, &got, &n), TB_CAP_FRAGMENT);
	/* Linux cooked v1 and v2, raw IP, loopback */
	memset(f, 0, 20); f[14] = 0x08; f[15] = 0x00;
	end = put_ip_udp(f, 16, 0, 0, 7, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_LINUX_SLL, f, end, 5004, &got, &n), TB_CAP_UDP);
	memset(f, 0, 20); f[0] = 0x86; f[1] = 0xdd;
	end = put_ip_udp(f, 20, 1, 0, 7, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_LINUX_SLL2, f, end, 5004, &got, &n), TB_CAP_UDP);
	end = put_ip_udp(f, 0, 1, 0, 7, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_RAW, f, end, 5004, &got, &n), TB_CAP_UDP);
	memset(f, 0, 4); f[0] = 2;
	end = put_ip_udp(f, 4, 0, 0, 7, 5004, pl, 7, 0);
	CHECK_EQ_I64(tb_cap_udp_payload(DLT_NULL, f, end, 5004, &got, &n), TB_CAP_UDP);
	CHECK(!tb_cap_dlt_supported(DLT_IEEE802_11));
	/* Garbage never reads out of bounds (heap copies for ASan). */
	srand(3);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand() % 100);
		uint8_t *g = malloc(len + 1);
		for (size_t j = 0; j < len; j++)
			g[j] = (uint8_t)(j < 14 && rand() % 2 ? (j == 12 ? 0x08 : 0) : rand());
		int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL };
		int r = tb_cap_udp_payload(dlts[i % 5], g, len, 0, &got, &n);
		CHECK(r >= 0 && r < TB_CAP_RESULT_COUNT);
		if (r == TB_CAP_UDP)
			CHECK(got >= g && got + n <= g + len);
		free(g);
	}
}

static struct tb_reasm *R;
static void feed(void *ctx, const uint8_t *p, size_t n, int64_t ts)
{
	(void)ctx;
	tb_reasm_packet(R, p, n, ts);
}

static void test_pcap_file(void)
{
	struct tb_clip c;
	if (sim_load_clip("480p30", &c)) {
		CHECK(!"clip 480p30 loads");
		return;
	}
	struct sim_stream s;
	CHECK(sim_packetize(&c, 60, 5, 100, 1, 0, &s) == 0);
	char path[] = "/tmp/tb-recv-capXXXXXX";
	int fd = mkstemp(path);
	close(fd);
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *dump = pcap_dump_open(dead, path);
	CHECK(dump != NULL);
	static uint8_t frame[2000];
	int64_t t0 = 1700000000LL * 1000000000LL + 123456789;
	int dropped = 0;
	for (size_t i = 0; i < s.n; i++) {
		memset(frame, 0, 14);
		frame[12] = 0x08;
		struct pcap_pkthdr h;
		int64_t t = t0 + (int64_t)i * 250000;
		h.ts.tv_sec = t / 1000000000;
		h.ts.tv_usec = t % 1000000000;  /* nanoseconds in a nanosecond-precision file */
		size_t end;
		if (i % 4 == 0) {  /* noise: another port, then a fragment */
			end = put_ip_udp(frame, 14, 0, 0, 9, 53, s.pkts[i].data, s.pkts[i].len, 0);
			h.caplen = h.len = (bpf_u_int32)end;
			pcap_dump((u_char *)dump, &h, frame);
		}
		if (i % 9 == 5) {
			dropped++;
			continue;
		}
		end = put_ip_udp(frame, 14, 0, 0, 4000, 5004, s.pkts[i].data, s.pkts[i].len, 0);
		h.caplen = h.len = (bpf_u_int32)end;
		pcap_dump((u_char *)dump, &h, frame);
	}
	pcap_dump_close(dump);
	pcap_close(dead);

	struct sim_sink k = { 0 };
	R = tb_reasm_new(NULL, sim_sink_frame, NULL, &k);
	struct tb_cap_stats st = { 0 };
	char err[256];
	CHECK(tb_cap_read_file(path, 5004, feed, NULL, NULL, &st, err, sizeof err) == 0);
	tb_reasm_flush(R);
	struct tb_recv_counters cnt;
	tb_reasm_counters(R, &cnt);
	int kept = (int)s.n - dropped;
	CHECK_EQ_I64(st.by_result[TB_CAP_UDP], kept);
	CHECK_EQ_I64(st.by_result[TB_CAP_OTHER_PORT], (s.n + 3) / 4);
	CHECK_EQ_I64(cnt.received, kept);
	CHECK_EQ_I64(cnt.expected, s.n);
	CHECK_EQ_I64(cnt.frames, 60);
	/* Arrival = capture time of the frame's last packet, to the nanosecond. */
	const struct sim_frame *f0 = sim_find(&k, 0, 0);
	int last = s.frame_first[0] + s.frame_pkts[0] - 1;
	while (last % 9 == 5)
		last--;
	CHECK(f0 && f0->rec.last_arrival_ns == t0 + (int64_t)last * 250000);
	CHECK(f0 && f0->rec.first_arrival_ns == t0);
	tb_reasm_free(R);
	sim_sink_free(&k);

	CHECK(tb_cap_read_file("/nonexistent.pcap", 0, feed, NULL, NULL, &st, err, sizeof err) == -1);
	CHECK(strstr(err, "cannot read capture") != NULL);
	unlink(path);
	sim_free(&s);
	tb_clip_free(&c);
}

int main(void)
{
	test_unwrap();
	test_pcap_file();
	return TB_CHECK_SUMMARY();
}
