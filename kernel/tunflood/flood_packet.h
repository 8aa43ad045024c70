/* The flood's packets: UDP payload = magic, run id, sequence number, send
 * time (big endian), then filler; and the parser the reader applies to what
 * it reads from the TUN (IPv4 + UDP + that payload). Pure; unit-tested. */
#ifndef TB_FLOOD_PACKET_H
#define TB_FLOOD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define FLOOD_MAGIC 0x54424643u /* "TBFC" */
#define FLOOD_LOCAL_ADDR "198.18.0.1" /* the TUN's address (/24 routed into it) */
#define FLOOD_PEER_ADDR "198.18.0.2"  /* where the flood goes */

/* Fill a payload buffer of len >= FLOOD_HDR_BYTES: magic, run id, filler. */
void flood_payload_init(unsigned char *buf, size_t len, uint32_t run_id);
/* Write the sequence number and send time into an initialised payload. */
void flood_payload_stamp(unsigned char *buf, uint64_t seq, int64_t send_ns);

/* Returns 1 and fills seq and send_ns when p (n bytes, an IPv4 packet) is a
 * flood packet of run_id to FLOOD_PEER_ADDR:port; 0 otherwise. */
int flood_packet_parse(const unsigned char *p, size_t n, unsigned port, uint32_t run_id,
		       uint64_t *seq, int64_t *send_ns);

#endif
