#include "flood_leftover.h"

#include "flood_packet.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int flood_leftover_init(struct flood_leftover *l, uint64_t sent)
{
	l->foreign = 0;
	l->failed_errno = 0;
	return seqtrack_init(&l->late, sent ? sent : 1);
}

void flood_leftover_free(struct flood_leftover *l)
{
	seqtrack_free(&l->late);
}

long long flood_leftover_read(struct flood_leftover *l, int fd, unsigned port, uint32_t run_id,
			      const struct seqtrack *received, uint64_t sent)
{
	static unsigned char buf[65536]; /* used after the reader thread ended */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		l->failed_errno = errno;
		return 0;
	}
	long long found = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				l->failed_errno = errno;
			break;
		}
		uint64_t seq;
		int64_t send_ns;
		if (!flood_packet_parse(buf, (size_t)n, port, run_id, &seq, &send_ns)) {
			l->foreign++;
			continue;
		}
		if (seq >= sent || seqtrack_has(received, seq) || seqtrack_has(&l->late, seq))
			continue;
		if (seqtrack_add(&l->late, seq)) {
			l->failed_errno = ENOMEM;
			break;
		}
		found++;
	}
	return found;
}
