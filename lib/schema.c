/* Schema migrations of the results store. Append only once landed: a
 * migration that has shipped is never edited, a change is a new entry.
 *
 * v1 runs, counters, samples: every run with all its knobs and environment;
 *    drop counters before/after per place; time series.
 * v2 frames_sent, frames_recv, packets: the per-frame logs of tb-send and
 *    tb-recv, and optional per-packet rows.
 * v3 tun_flood: one row per TUN flood (the kernel self-test).
 * v4 tcp_intervals, tcp_results: iperf3 runs.
 * v5 frame_images: decoded pictures of chosen frames.
 * v6 runs: one name per setting, from the sweep file to the column. Renamed
 *    kernel_variant -> kernel, qdisc -> qdisc_kind (the kind read back),
 *    qdisc_params -> qdisc_applied (the spec as the kernel shows it); new
 *    qdisc (the setting as given), vpn, duration, pace, decode, dump_frames,
 *    cpu_limit; traffic_start_ns, traffic_end_ns, cpu_max_busy_pct, saturated
 *    (validity over the traffic window). The comments in v1 name the columns
 *    as they were then.
 * v7 runs.tcp_omit: the seconds of TCP start iperf3 leaves out (--omit);
 *    tcp_intervals.omitted marks those intervals, so steady state can be
 *    judged from the rest (analysis/views.sql, tcp_convergence). runs.flag:
 *    whether the robot's VPN asked for IFF_BACKPRESSURE (through
 *    tools/preload), runs.flag_applied whether its TUN really has it.
 * v8 Field mode (sender and receiver on two hosts, two clocks).
 *    frames_sent.icmp_errors: ICMP error reports (about earlier datagrams)
 *    tb-send read while sending the frame; a send() they refused was
 *    repeated, so they are not in send_errors. runs.clock: tb-recv --clock
 *    ('shared': one clock, as in the VM; 'echo': two hosts, timestamp
 *    echoes). runs.clock_sync ('shared' | 'synchronised' | 'unsynchronised'),
 *    clock_offset_ns (receiver clock minus sender clock, NTP-style estimate
 *    from the echo with the smallest round trip), clock_bound_ns (half that
 *    round trip: the true offset is within +-bound), clock_echoes (echoes
 *    that reached tb-send). When synchronised, frames_recv.latency_ns is
 *    corrected by the offset (last_arrival_ns - capture_ns - clock_offset_ns);
 *    the raw arrival and capture times stay as each clock read them.
 * v9 Several cameras (a robot's encoders started together). runs.cameras:
 *    the tb-send streams of a video or mixed run (the setting `cameras`,
 *    1..8), NULL for runs without video (tcp, selftest, watch). Rows from
 *    before it get 1 when their kind is video or mixed (one stream each,
 *    standalone tb-send and tb-recv runs included), NULL otherwise.
 *    frames_sent.stream: which camera's stream a frame is of (tb-send
 *    --stream, 0 for the first), matched by frames_recv.stream (tb-recv
 *    --stream); the key becomes (run_id, stream, frame_no), so two cameras'
 *    frame 5 are two rows. SQLite cannot change a primary key in place: the
 *    table is made anew and the old rows copied with stream 0.
 * v10 runs.kernel_taint_before, kernel_taint_after: the kernel's taint mask
 *    (/proc/sys/kernel/tainted) read before and after the run's traffic, so
 *    that a run in a kernel that oopsed or warned is judged invalid
 *    (tb/validity.h). NULL: not read (runs from before it, and selftests).
 * v11 tun_flood.stuck_in_ring: a flood's packets still in the TUN's ring
 *    once its reader had stopped (kernel/tunflood/flood_leftover.h).
 *    runs.host_other_busy_pct, host_steal_pct: the share of the host's CPU
 *    (all its CPUs) busy with other work than the guest, and stolen by a
 *    hypervisor, during the run's traffic (tb/host_cpu.h); judged by the
 *    validity rule. NULL: not read (runs outside a guest, and before v11).
 */
#include "schema.h"

static const char *const migrations[] = {
	/* v1 */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  campaign TEXT NOT NULL DEFAULT '',"
	"  point_key TEXT,"            /* identity of a sweep point + repetition, for resume */
	"  kind TEXT NOT NULL,"        /* selftest | video | tcp | mixed */
	"  kernel_variant TEXT, kernel_release TEXT, patch_hash TEXT, accel TEXT,"
	"  ring INTEGER,"              /* txqueuelen of the sender-side tun */
	"  qdisc TEXT, qdisc_limit INTEGER, qdisc_params TEXT,"
	"  sndbuf INTEGER,"            /* sender SO_SNDBUF in bytes, 0 = default */
	"  profile TEXT, traffic TEXT, clip TEXT, seed INTEGER, repetition INTEGER,"
	"  git_rev TEXT, knobs_json TEXT, env_json TEXT,"
	"  started_ns INTEGER, ended_ns INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'running',"   /* running | done | failed */
	"  valid INTEGER, invalid_reason TEXT, cpu_busy_pct REAL"
	");"
	"CREATE INDEX runs_point ON runs(campaign, point_key);"
	"CREATE TABLE counters ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  place TEXT NOT NULL,"       /* ring | qdisc | socket | wan | vpn | ... */
	"  name TEXT NOT NULL,"
	"  before INTEGER, after INTEGER,"
	"  PRIMARY KEY (run_id, place, name)"
	");"
	"CREATE TABLE samples ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  t_ns INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, unit TEXT"
	");"
	"CREATE INDEX samples_run ON samples(run_id, name, t_ns);",

	/* v2 */
	/* frames_sent: one row per frame tb-send sent. Times are CLOCK_REALTIME ns. */
	"CREATE TABLE frames_sent ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  frame_no INTEGER NOT NULL,"  /* increases across loops of the clip */
	"  clip_frame INTEGER,"         /* index in the clip (frame_no modulo clip length) */
	"  type TEXT, idr INTEGER,"     /* I/P/B of the first slice; 1 = IDR */
	"  size_bytes INTEGER,"         /* Annex-B bytes of the access unit in the clip */
	"  packets INTEGER,"            /* RTP packets the frame was split into */
	"  wire_bytes INTEGER,"         /* bytes of those send() accepted (UDP payload) */
	"  first_seq INTEGER, rtp_ts INTEGER,"
	"  capture_ns INTEGER,"        /* scheduled send time (clip timestamp on the run clock) */
	"  send_start_ns INTEGER, send_end_ns INTEGER," /* before the first / after the last send() */
	"  blocked_ns INTEGER,"        /* total time spent inside send() for this frame */
	"  send_errors INTEGER,"       /* packets send() refused (EAGAIN when non-blocking, ENOBUFS, ...) */
	"  PRIMARY KEY (run_id, frame_no)"
	");"
	/* frames_recv: one row per frame tb-recv finished (see receiver/reasm.h).
	 * stream numbers the SSRCs of a run (0, then +1 at each change); frame_no
	 * is the extension's frame number, or 0,1,2.. without it. decodable is
	 * chain_decodable (complete, and the reference chain since the last IDR
	 * intact) AND decoder_ok when decoding ran (decoder_ok NULL otherwise).
	 * Unknown values (no extension, frame lost entirely) are NULL. */
	"CREATE TABLE frames_recv ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  stream INTEGER NOT NULL DEFAULT 0, frame_no INTEGER NOT NULL,"
	"  ssrc INTEGER, rtp_ts INTEGER, first_seq INTEGER,"
	"  type TEXT, size_bytes INTEGER,"
	"  pkts_expected INTEGER, pkts_received INTEGER,"
	"  complete INTEGER, decodable INTEGER, chain_decodable INTEGER, decoder_ok INTEGER,"
	"  capture_ns INTEGER, send_ns INTEGER, first_arrival_ns INTEGER, last_arrival_ns INTEGER,"
	"  latency_ns INTEGER,"        /* last arrival - capture_ns; NULL without the extension */
	"  psnr_db REAL,"
	"  PRIMARY KEY (run_id, stream, frame_no)"
	");"
	/* packets (tb-recv --packets): every well-formed packet; status 0 = in a
	 * frame, 1 = duplicate, 2 = late (its frame was already finished). */
	"CREATE TABLE packets ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  stream INTEGER NOT NULL DEFAULT 0, ext_seq INTEGER NOT NULL, frame_no INTEGER,"
	"  size_bytes INTEGER, send_ns INTEGER, arrival_ns INTEGER, status INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX packets_run ON packets(run_id, stream, ext_seq);",

	/* v3: one row per tb-tunflood run; counts are packets. The identity
	 * lost = ring_drops + dev_drops + qdisc_drops + socket_drops
	 *        + stuck_in_qdisc + unexplained
	 * holds by construction (see kernel/tunflood/flood_account.h). */
	"CREATE TABLE tun_flood ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  sent INTEGER NOT NULL,"         /* packets the sender tried, one sequence number each */
	"  accepted INTEGER,"              /* send() returned success */
	"  received INTEGER NOT NULL, lost INTEGER NOT NULL,"
	"  ring_drops INTEGER,"            /* TUN ring full (tx_dropped less dev_drops) */
	"  dev_drops INTEGER,"             /* stopped queue with no qdisc: core drop, send() ENETDOWN */
	"  qdisc_drops INTEGER,"           /* root qdisc drops */
	"  socket_drops INTEGER,"          /* failed sends that never reached the device */
	"  stuck_in_qdisc INTEGER,"        /* still queued when draining gave up */
	"  unexplained INTEGER,"
	"  send_errors INTEGER,"           /* all failed send() calls, by errno in result_json */
	"  sndbuf_errors INTEGER,"         /* UdpSndbufErrors delta (includes echoed drops) */
	"  xmit_drops_reported INTEGER,"   /* drops below UDP reported back as ENOBUFS */
	"  duplicates INTEGER, reordered INTEGER, gaps INTEGER, foreign_packets INTEGER,"
	"  rate_pps INTEGER, burst_packets INTEGER, reader_rate_pps INTEGER, size_bytes INTEGER,"
	"  blocking INTEGER,"
	"  blocked_ns INTEGER,"            /* time in send() calls that took >= 1 ms */
	"  send_duration_ns INTEGER, duration_ns INTEGER,"
	"  latency_mean_ns INTEGER, latency_max_ns INTEGER,"   /* send() to read() on the TUN */
	"  hung INTEGER NOT NULL DEFAULT 0, hung_reason TEXT,"
	"  result_json TEXT,"              /* the tool's whole JSON object */
	"  PRIMARY KEY (run_id)"
	");",

	/* v4: TCP runs (iperf3 --json): its per-interval figures and the end
	 * summary. bits_per_second as iperf3 reports it; rtt in microseconds. */
	"CREATE TABLE tcp_intervals ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  start_s REAL NOT NULL, end_s REAL NOT NULL, bytes INTEGER, bits_per_second REAL,"
	"  retransmits INTEGER, snd_cwnd_bytes INTEGER, rtt_us INTEGER"
	");"
	"CREATE INDEX tcp_intervals_run ON tcp_intervals(run_id, start_s);"
	"CREATE TABLE tcp_results ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  duration_s REAL, sent_bytes INTEGER, received_bytes INTEGER,"
	"  sender_bps REAL, receiver_bps REAL, retransmits INTEGER,"
	"  mean_rtt_us INTEGER, max_snd_cwnd_bytes INTEGER,"
	"  PRIMARY KEY (run_id)"
	");",

	/* v5: decoded pictures of chosen frames (PNG), to show artifacts. */
	"CREATE TABLE frame_images ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  stream INTEGER NOT NULL DEFAULT 0, frame_no INTEGER NOT NULL, png BLOB NOT NULL,"
	"  PRIMARY KEY (run_id, stream, frame_no)"
	");",

	/* v6: every setting of a run under its one name (see the header). Older
	 * rows get what their knobs_json recorded; knobs_json is checked with
	 * json_valid first, so a row with broken JSON migrates with NULLs. */
	"ALTER TABLE runs RENAME COLUMN kernel_variant TO kernel;"
	"ALTER TABLE runs RENAME COLUMN qdisc TO qdisc_kind;"
	"ALTER TABLE runs RENAME COLUMN qdisc_params TO qdisc_applied;"
	"ALTER TABLE runs ADD COLUMN qdisc TEXT;"          /* as given: 'pfifo limit 25000' */
	"ALTER TABLE runs ADD COLUMN vpn TEXT;"            /* 'openvpn'; NULL for self-tests and standalone tb-send/tb-recv */
	"ALTER TABLE runs ADD COLUMN duration INTEGER;"    /* seconds of traffic */
	"ALTER TABLE runs ADD COLUMN pace REAL;"           /* tb-send pacing factor, 0 = bursty */
	"ALTER TABLE runs ADD COLUMN decode TEXT;"         /* 'on' | 'off': libavcodec at the receiver */
	"ALTER TABLE runs ADD COLUMN dump_frames TEXT;"    /* frame numbers whose picture is kept */
	"ALTER TABLE runs ADD COLUMN cpu_limit REAL;"      /* percent; the validity threshold */
	/* validity (lib/validity.c): judged over the traffic window, CLOCK_REALTIME ns */
	"ALTER TABLE runs ADD COLUMN traffic_start_ns INTEGER;" /* just before the first sender started */
	"ALTER TABLE runs ADD COLUMN traffic_end_ns INTEGER;"   /* just after the last one finished */
	"ALTER TABLE runs ADD COLUMN cpu_max_busy_pct REAL;"    /* the busiest vCPU, window mean */
	"ALTER TABLE runs ADD COLUMN saturated TEXT;"           /* series >= cpu_limit: 'openvpn-robot 97.3%, ...' */
	"ALTER TABLE runs ADD COLUMN fail_reason TEXT;"         /* status 'failed': what died or went wrong */
	"UPDATE runs SET"
	"  qdisc = coalesce(CASE WHEN json_valid(knobs_json) THEN coalesce("
	"    json_extract(knobs_json, '$.qdisc'), json_extract(knobs_json, '$.qdisc_spec')) END,"
	"    qdisc_kind),"
	"  vpn = CASE WHEN traffic IN ('video', 'tcp', 'mixed') THEN 'openvpn' END,"
	"  duration = CASE WHEN json_valid(knobs_json) THEN json_extract(knobs_json, '$.duration_s') END,"
	"  pace = CASE WHEN json_valid(knobs_json) THEN json_extract(knobs_json, '$.pace') END;",

	/* v7: TCP steady state. Runs before it omitted nothing (NULL: unknown). */
	"ALTER TABLE runs ADD COLUMN tcp_omit INTEGER;"    /* seconds: iperf3 --omit */
	"ALTER TABLE tcp_intervals ADD COLUMN omitted INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN flag TEXT;"           /* 'on' | 'off': IFF_BACKPRESSURE asked for */
	"ALTER TABLE runs ADD COLUMN flag_applied INTEGER;", /* 1 when the robot's TUN has it (read back) */

	/* v8: field mode (see the header). Older rows: NULL (not recorded). */
	"ALTER TABLE frames_sent ADD COLUMN icmp_errors INTEGER;" /* reports read while sending it; not losses */
	"ALTER TABLE runs ADD COLUMN clock TEXT;"            /* 'shared' | 'echo' (tb-recv --clock) */
	"ALTER TABLE runs ADD COLUMN clock_sync TEXT;"       /* 'shared' | 'synchronised' | 'unsynchronised' */
	"ALTER TABLE runs ADD COLUMN clock_offset_ns INTEGER;" /* receiver clock - sender clock */
	"ALTER TABLE runs ADD COLUMN clock_bound_ns INTEGER;"  /* |error| <= this: half the echo's round trip */
	"ALTER TABLE runs ADD COLUMN clock_echoes INTEGER;",   /* echoes that reached tb-send */

	/* v9: several cameras (see the header). frames_sent as in v2 and v8,
	 * with stream beside frame_no in the key. */
	"ALTER TABLE runs ADD COLUMN cameras INTEGER;"       /* tb-send streams; NULL: no video */
	"UPDATE runs SET cameras = 1 WHERE kind IN ('video', 'mixed');"
	"CREATE TABLE frames_sent_v9 ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  stream INTEGER NOT NULL DEFAULT 0,"  /* the camera: tb-send --stream */
	"  frame_no INTEGER NOT NULL, clip_frame INTEGER, type TEXT, idr INTEGER,"
	"  size_bytes INTEGER, packets INTEGER, wire_bytes INTEGER, first_seq INTEGER, rtp_ts INTEGER,"
	"  capture_ns INTEGER, send_start_ns INTEGER, send_end_ns INTEGER, blocked_ns INTEGER,"
	"  send_errors INTEGER, icmp_errors INTEGER,"
	"  PRIMARY KEY (run_id, stream, frame_no)"
	");"
	"INSERT INTO frames_sent_v9 (run_id, stream, frame_no, clip_frame, type, idr, size_bytes, packets,"
	"  wire_bytes, first_seq, rtp_ts, capture_ns, send_start_ns, send_end_ns, blocked_ns, send_errors,"
	"  icmp_errors)"
	" SELECT run_id, 0, frame_no, clip_frame, type, idr, size_bytes, packets, wire_bytes, first_seq,"
	"  rtp_ts, capture_ns, send_start_ns, send_end_ns, blocked_ns, send_errors, icmp_errors"
	" FROM frames_sent;"
	"DROP TABLE frames_sent;"
	"ALTER TABLE frames_sent_v9 RENAME TO frames_sent;",

	/* v10: the kernel's taint around the traffic (see the header). */
	"ALTER TABLE runs ADD COLUMN kernel_taint_before INTEGER;"
	"ALTER TABLE runs ADD COLUMN kernel_taint_after INTEGER;",

	/* v11: a flood's packets still in the TUN's ring once its reader had
	 * stopped (read back afterwards); lost = ... + stuck_in_qdisc +
	 * stuck_in_ring + unexplained. NULL for floods stored before. The
	 * host's CPU during a run (see the header). */
	"ALTER TABLE tun_flood ADD COLUMN stuck_in_ring INTEGER;"
	"ALTER TABLE runs ADD COLUMN host_other_busy_pct REAL;"
	"ALTER TABLE runs ADD COLUMN host_steal_pct REAL;",
};

int tb_schema_count(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *tb_schema_migration(int to_version)
{
	if (to_version < 1 || to_version > tb_schema_count())
		return 0;
	return migrations[to_version - 1];
}
