/* The TUN flag of the opt-in backpressure form (Linux 7.3), for headers that
 * predate it, and the other TUN flags the tools name.
 */
#ifndef TB_IFF_H
#define TB_IFF_H

#include <linux/if_tun.h>

/* Stop the queue instead of tail-dropping on a full ring (needs a qdisc). */
#ifndef IFF_BACKPRESSURE
#define IFF_BACKPRESSURE 0x0080
#endif

#endif
