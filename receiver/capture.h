/* Reading RTP from packet captures (libpcap): offline files and live
 * interfaces. Each captured frame is unwrapped down to its UDP payload
 * (Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD loopback;
 * IPv4 and IPv6 with extension headers), filtered by UDP port, and handed on
 * with the capture's timestamp in nanoseconds. IP fragments are not
 * reassembled (counted and skipped: RTP senders keep packets under the MTU). */
#ifndef TB_CAPTURE_H
#define TB_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum tb_cap_result {
	TB_CAP_UDP = 0,           /* payload found, port matches */
	TB_CAP_OTHER_PORT,        /* UDP, other port */
	TB_CAP_NOT_UDP,           /* not IP, or IP but not UDP */
	TB_CAP_FRAGMENT,          /* an IP fragment */
	TB_CAP_TRUNCATED,         /* shorter than its headers say (snaplen, garbage) */
	TB_CAP_RESULT_COUNT
};

/* Unwrap one captured frame of link type dlt (a DLT_* value). port 0 matches
 * any port, otherwise source or destination port must equal it. */
int tb_cap_udp_payload(int dlt, const uint8_t *frame, size_t caplen, int port,
		       const uint8_t **payload, size_t *len);

/* Is this link type supported? */
int tb_cap_dlt_supported(int dlt);

struct tb_cap_stats {
	uint64_t frames;
	uint64_t by_result[TB_CAP_RESULT_COUNT];
	uint64_t kernel_drops;    /* live: pcap_stats ps_drop + ps_ifdrop */
};

typedef void (*tb_cap_cb)(void *ctx, const uint8_t *payload, size_t len, int64_t ts_ns);
/* Called about every 100 ms of capture/wall time with "now" (capture time
 * offline, CLOCK_REALTIME live); returns nonzero to stop. */
typedef int (*tb_cap_tick_cb)(void *ctx, int64_t now_ns);

/* Read a capture file to the end. Returns 0, or -1 with err set. */
int tb_cap_read_file(const char *path, int port, tb_cap_cb cb, tb_cap_tick_cb tick, void *ctx,
		     struct tb_cap_stats *st, char *err, size_t errlen);

/* Capture live on an interface until tick returns nonzero or *stop is set.
 * Returns 0, or -1 with err set. */
int tb_cap_live(const char *iface, int port, tb_cap_cb cb, tb_cap_tick_cb tick, void *ctx,
		volatile sig_atomic_t *stop, struct tb_cap_stats *st, char *err, size_t errlen);

#endif
