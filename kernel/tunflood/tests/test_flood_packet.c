/* The flood's packet format: what the sender writes, the reader recognises,
 * and everything else (other address, port, protocol, run, truncation) is
 * not taken for a flood packet. */
#include "flood_opts.h"
#include "flood_packet.h"
#include "tb/check.h"

#include <arpa/inet.h>
#include <string.h>

/* An IPv4/UDP packet to dst:port around a payload of plen bytes. */
static size_t make_packet(unsigned char *p, const char *dst, unsigned port,
			  const unsigned char *payload, size_t plen)
{
	memset(p, 0, 28);
	size_t tot = 28 + plen;
	p[0] = 0x45;
	p[2] = (unsigned char)(tot >> 8);
	p[3] = (unsigned char)tot;
	p[8] = 64;
	p[9] = 17; /* UDP */
	inet_pton(AF_INET, FLOOD_LOCAL_ADDR, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	p[20] = 0x9c, p[21] = 0x40; /* source port 40000 */
	p[22] = (unsigned char)(port >> 8);
	p[23] = (unsigned char)port;
	p[24] = (unsigned char)((8 + plen) >> 8);
	p[25] = (unsigned char)(8 + plen);
	memcpy(p + 28, payload, plen);
	return tot;
}

int main(void)
{
	unsigned char payload[200], pkt[300];
	flood_payload_init(payload, sizeof payload, 0xdeadbeef);
	flood_payload_stamp(payload, 0x0102030405ULL, 1234567890123LL);
	uint64_t seq = 0;
	int64_t ns = 0;

	size_t n = make_packet(pkt, FLOOD_PEER_ADDR, 5001, payload, sizeof payload);
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 1);
	CHECK_EQ_I64(seq, 0x0102030405LL);
	CHECK_EQ_I64(ns, 1234567890123LL);
	CHECK_EQ_I64(payload[FLOOD_HDR_BYTES], 0xa5); /* filler after the header */

	/* A bigger buffer than the packet (trailing bytes) is fine. */
	CHECK(flood_packet_parse(pkt, n + 50, 5001, 0xdeadbeef, &seq, &ns) == 1);
	/* Another run, port, destination, protocol, version: not ours. */
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeee, &seq, &ns) == 0);
	CHECK(flood_packet_parse(pkt, n, 5002, 0xdeadbeef, &seq, &ns) == 0);
	n = make_packet(pkt, "198.18.0.3", 5001, payload, sizeof payload);
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 0);
	n = make_packet(pkt, FLOOD_PEER_ADDR, 5001, payload, sizeof payload);
	pkt[9] = 6;
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 0);
	pkt[9] = 17;
	pkt[0] = 0x60;
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 0);
	pkt[0] = 0x45;
	/* Truncated: shorter than its IPv4 total length, or a payload shorter
	 * than the flood header. */
	CHECK(flood_packet_parse(pkt, n - 1, 5001, 0xdeadbeef, &seq, &ns) == 0);
	n = make_packet(pkt, FLOOD_PEER_ADDR, 5001, payload, FLOOD_HDR_BYTES - 1);
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 0);
	n = make_packet(pkt, FLOOD_PEER_ADDR, 5001, payload, FLOOD_HDR_BYTES);
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 1);
	/* Wrong magic. */
	payload[0] ^= 1;
	n = make_packet(pkt, FLOOD_PEER_ADDR, 5001, payload, sizeof payload);
	CHECK(flood_packet_parse(pkt, n, 5001, 0xdeadbeef, &seq, &ns) == 0);
	CHECK(flood_packet_parse(pkt, 10, 5001, 0xdeadbeef, &seq, &ns) == 0);
	return TB_CHECK_SUMMARY();
}
