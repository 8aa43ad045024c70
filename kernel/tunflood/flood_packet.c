#include "flood_packet.h"

#include "flood_opts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	uint32_t n = htonl(v);
	memcpy(p, &n, 4);
}

static uint32_t get_be32(const unsigned char *p)
{
	uint32_t n;
	memcpy(&n, p, 4);
	return ntohl(n);
}

void flood_payload_init(unsigned char *buf, size_t len, uint32_t run_id)
{
	memset(buf, 0xa5, len);
	put_be32(buf, FLOOD_MAGIC);
	put_be32(buf + 4, run_id);
}

void flood_payload_stamp(unsigned char *buf, uint64_t seq, int64_t send_ns)
{
	put_be64(buf + 8, seq);
	put_be64(buf + 16, (uint64_t)send_ns);
}

int flood_packet_parse(const unsigned char *p, size_t n, unsigned port, uint32_t run_id,
		       uint64_t *seq, int64_t *send_ns)
{
	if (n < 20 || (p[0] >> 4) != 4)
		return 0;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	size_t tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || tot > n || tot < ihl + 8 || p[9] != IPPROTO_UDP)
		return 0;
	struct in_addr dst, want;
	memcpy(&dst, p + 16, 4);
	inet_pton(AF_INET, FLOOD_PEER_ADDR, &want);
	if (dst.s_addr != want.s_addr)
		return 0;
	const unsigned char *u = p + ihl;
	if (((unsigned)u[2] << 8 | u[3]) != port)
		return 0;
	const unsigned char *pl = u + 8;
	size_t plen = tot - ihl - 8;
	if (plen < FLOOD_HDR_BYTES || get_be32(pl) != FLOOD_MAGIC || get_be32(pl + 4) != run_id)
		return 0;
	*seq = get_be64(pl + 8);
	*send_ns = (int64_t)get_be64(pl + 16);
	return 1;
}
