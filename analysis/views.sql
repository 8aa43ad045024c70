-- Views over the results store, created as TEMP views by every reader
-- (tb-db query --views, ./testbed report), so they can change without a
-- schema migration. Times in the store are ns; views name their units.

-- Counter deltas of a run: after - before, per place and name.
CREATE TEMP VIEW IF NOT EXISTS counter_delta AS
SELECT run_id, place, name, after - before AS delta
FROM counters WHERE before >= 0 AND after >= 0;

-- Packets of the video flow (of every camera: all frames_sent rows of the
-- run, all its receivers' totals), counted where they were seen: sent, received,
-- per place the packets dropped there (*_drops), and the packets each hop
-- passed on, each from its own counter:
--   vpn_read       read from the ring by the robot's OpenVPN (tun tx_packets)
--   vpn_sent       datagrams that OpenVPN handed to the robot's veth
--                  (transmitted or dropped there)
--   wan_delivered  datagrams the WAN handed to the operator's veth
--   vpn_delivered  packets the operator's OpenVPN wrote into its tun
-- With fixed neighbour entries (scenario/scenario-lib.sh) no ARP packet
-- shares these counters, and OpenVPN sends no keepalives. wireguard-go's
-- own messages (a handshake every 2 minutes, keepalives the operator sends
-- back) cross the robot's veth and the WAN alike, so they cancel in
-- vpn_drops; only one the WAN itself drops shows, as unexplained -1. Only in
-- video-only runs do the tun devices and the WAN carry nothing else, so only
-- there are the kernel's counters the video's own; in mixed runs (video
-- beside a bulk TCP upload) the places are left NULL and only what the
-- sender sent and the receiver got is known.
CREATE TEMP VIEW IF NOT EXISTS run_video_packets AS
SELECT run_id, sent, socket_drops, received,
  CASE WHEN kind = 'video' THEN ring_drops END AS ring_drops,
  CASE WHEN kind = 'video' THEN vpn_read END AS vpn_read,
  CASE WHEN kind = 'video' THEN qdisc_drops END AS qdisc_drops,
  CASE WHEN kind = 'video' THEN vpn_sent END AS vpn_sent,
  CASE WHEN kind = 'video' THEN wan_drops END AS wan_drops,
  CASE WHEN kind = 'video' THEN wan_delivered END AS wan_delivered,
  CASE WHEN kind = 'video' THEN vpn_socket_drops END AS vpn_socket_drops,
  CASE WHEN kind = 'video' THEN vpn_delivered END AS vpn_delivered,
  CASE WHEN kind = 'video' THEN receiver_drops END AS receiver_drops
FROM (SELECT r.id AS run_id, r.kind,
  (SELECT coalesce(sum(packets), 0) FROM frames_sent WHERE run_id = r.id) AS sent,
  (SELECT coalesce(sum(send_errors), 0) FROM frames_sent WHERE run_id = r.id) AS socket_drops,
  -- unique packets the receiver got; its own total counts those that came
  -- after their frame was closed, which no frame row holds
  coalesce((SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'receiver' AND name = 'received'),
           (SELECT coalesce(sum(pkts_received), 0) FROM frames_recv WHERE run_id = r.id)) AS received,
  -- the tun's tx_dropped less the packets the core refused on a stopped
  -- queue without a qdisc (send() got ENETDOWN: already socket_drops)
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'ring' AND name = 'tx_dropped')
  - coalesce((SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'sender' AND name = 'enetdown'), 0)
    AS ring_drops,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'ring' AND name = 'tx_packets') AS vpn_read,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'qdisc' AND name = 'dropped') AS qdisc_drops,
  (SELECT sum(delta) FROM counter_delta WHERE run_id = r.id
     AND place = 'robot' AND name IN ('veth_tx_packets', 'veth_tx_dropped')) AS vpn_sent,
  -- the emulated link (netem's drops) and the veth hops on either side of it
  (SELECT coalesce(sum(delta), 0) FROM counter_delta WHERE run_id = r.id
     AND ((place = 'wan' AND name IN ('up.dropped', 'up.veth_tx_dropped', 'from_robot_rx_dropped'))
       OR (place = 'robot' AND name = 'veth_tx_dropped'))) AS wan_drops,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'wan' AND name = 'up.veth_tx_packets') AS wan_delivered,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'vpn' AND name = 'operator_socket_drops') AS vpn_socket_drops,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'vpn' AND name = 'operator_tun_rx_packets') AS vpn_delivered,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'recv' AND name = 'udp_rcvbuf_errors')
  - coalesce((SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'vpn'
              AND name = 'operator_socket_drops'), 0) AS receiver_drops
  FROM runs r WHERE r.kind IN ('video', 'mixed'));

-- Where every lost video packet went:
--   sent = received + socket_drops + ring_drops + qdisc_drops + wan_drops
--          + vpn_drops + receiver_drops + unexplained
-- socket: refused by send(); ring: the tun's tail drop; qdisc: the tun's
-- qdisc; wan: the emulated link and its veths; vpn: lost inside the VPN,
-- on the robot (read from the ring, never handed to the veth: vpn_read -
-- vpn_sent) and on the operator (reached its veth, never written into its
-- tun: wan_delivered - vpn_delivered, of which vpn_socket_drops overflowed
-- OpenVPN's outer socket); receiver: tb-recv's socket buffer (the
-- namespace's RcvbufErrors less OpenVPN's socket). Each place is counted at
-- its own hop, none is a remainder, so unexplained = 0 only when every
-- counter agrees with its neighbours: a wrong counter anywhere shows up
-- there.
CREATE TEMP VIEW IF NOT EXISTS run_attribution AS
SELECT run_id, sent, received, socket_drops, ring_drops, qdisc_drops, wan_drops,
  (vpn_read - vpn_sent) + (wan_delivered - vpn_delivered) AS vpn_drops, receiver_drops,
  sent - received - socket_drops - ring_drops - qdisc_drops - wan_drops
    - ((vpn_read - vpn_sent) + (wan_delivered - vpn_delivered)) - receiver_drops AS unexplained
FROM run_video_packets;

-- Per run, per frame the sender sent: did it arrive whole, and could it be
-- shown without artifacts? A frame that never arrived counts as lost.
-- frames_by_Nms: frames an operator could show within N ms of capture
-- (complete, decodable, and the last packet in by then; lost and damaged
-- frames count as late); frames_untimed: such frames whose latency is
-- unknown (a sender without the frame extension), which leave it unknown.
-- Over every camera of the run: a frame is its camera's (stream) frame_no,
-- so two cameras' frame 5 are two frames.
CREATE TEMP VIEW IF NOT EXISTS run_frames AS
SELECT s.run_id,
  count(*) AS frames_sent,
  sum(CASE WHEN r.complete = 1 THEN 0 ELSE 1 END) AS frames_lost,
  sum(CASE WHEN r.decodable = 1 THEN 0 ELSE 1 END) AS frames_artifacts,
  sum(CASE WHEN r.complete = 1 AND r.decodable = 1 AND r.latency_ns <= 100000000 THEN 1 ELSE 0 END) AS frames_by_100ms,
  sum(CASE WHEN r.complete = 1 AND r.decodable = 1 AND r.latency_ns <= 150000000 THEN 1 ELSE 0 END) AS frames_by_150ms,
  sum(CASE WHEN r.complete = 1 AND r.decodable = 1 AND r.latency_ns <= 200000000 THEN 1 ELSE 0 END) AS frames_by_200ms,
  sum(CASE WHEN r.complete = 1 AND r.decodable = 1 AND r.latency_ns IS NULL THEN 1 ELSE 0 END) AS frames_untimed,
  sum(s.blocked_ns) / 1e6 AS blocked_ms,
  max(s.blocked_ns) / 1e6 AS max_blocked_ms
FROM frames_sent s
LEFT JOIN frames_recv r ON r.run_id = s.run_id AND r.stream = s.stream AND r.frame_no = s.frame_no
GROUP BY s.run_id;

-- The same per camera of a run (stream: tb-send --stream), with its packets:
-- how evenly the cameras of one run fared (its keyframes leave together).
CREATE TEMP VIEW IF NOT EXISTS run_camera_frames AS
SELECT s.run_id, s.stream,
  count(*) AS frames_sent,
  sum(CASE WHEN r.complete = 1 THEN 0 ELSE 1 END) AS frames_lost,
  sum(CASE WHEN r.decodable = 1 THEN 0 ELSE 1 END) AS frames_artifacts,
  sum(s.packets) AS pkts_sent,
  sum(coalesce(r.pkts_received, 0)) AS pkts_received,
  100.0 * sum(CASE WHEN r.complete = 1 THEN 0 ELSE 1 END) / count(*) AS frame_loss_pct
FROM frames_sent s
LEFT JOIN frames_recv r ON r.run_id = s.run_id AND r.stream = s.stream AND r.frame_no = s.frame_no
GROUP BY s.run_id, s.stream;

-- Nearest-rank percentiles of the one-way latency of complete frames
-- (capture time to last packet's arrival), in ms. They describe the frames
-- that arrived; what an operator sees in time is run_summary's
-- displayable_*ms_pct.
CREATE TEMP VIEW IF NOT EXISTS run_latency AS
WITH ranked AS (
  SELECT run_id, latency_ns,
    row_number() OVER (PARTITION BY run_id ORDER BY latency_ns) AS rn,
    count(*) OVER (PARTITION BY run_id) AS n
  FROM frames_recv WHERE complete = 1 AND latency_ns IS NOT NULL)
SELECT run_id,
  min(CASE WHEN rn >= 0.50 * n THEN latency_ns END) / 1e6 AS p50_ms,
  min(CASE WHEN rn >= 0.95 * n THEN latency_ns END) / 1e6 AS p95_ms,
  min(CASE WHEN rn >= 0.99 * n THEN latency_ns END) / 1e6 AS p99_ms,
  max(latency_ns) / 1e6 AS max_ms
FROM ranked GROUP BY run_id;

-- TCP steady state (issue: a 6 s run at 120 ms RTT can be all slow start):
-- the measured intervals (iperf3 --omit left the first tcp_omit seconds
-- out) split at the middle of their span; a run converged when the two
-- halves' mean throughputs differ by at most 5 % of their mean. An interval
-- across the middle counts in neither half; fewer than two measured
-- intervals: NULL (not judged).
CREATE TEMP VIEW IF NOT EXISTS tcp_convergence AS
SELECT run_id, intervals, first_half_mbit_s, second_half_mbit_s,
  CASE WHEN first_half_mbit_s + second_half_mbit_s > 0
    THEN 200.0 * abs(second_half_mbit_s - first_half_mbit_s) / (first_half_mbit_s + second_half_mbit_s) END AS halves_diff_pct,
  CASE WHEN first_half_mbit_s IS NULL OR second_half_mbit_s IS NULL THEN NULL
    WHEN abs(second_half_mbit_s - first_half_mbit_s) <= 0.05 * (first_half_mbit_s + second_half_mbit_s) / 2 THEN 1
    ELSE 0 END AS converged
FROM (SELECT i.run_id, count(*) AS intervals,
    avg(CASE WHEN i.end_s <= (s.t0 + s.t1) / 2 THEN i.bits_per_second END) / 1e6 AS first_half_mbit_s,
    avg(CASE WHEN i.start_s >= (s.t0 + s.t1) / 2 THEN i.bits_per_second END) / 1e6 AS second_half_mbit_s
  FROM tcp_intervals i
  JOIN (SELECT run_id, min(start_s) AS t0, max(end_s) AS t1 FROM tcp_intervals WHERE omitted = 0 GROUP BY run_id) s
    ON s.run_id = i.run_id
  WHERE i.omitted = 0
  GROUP BY i.run_id);

-- Everything a report shows about one run: first its settings (named as on
-- the command line and in the sweep file; qdisc is the qdisc as asked for,
-- qdisc_kind and qdisc_applied what the kernel showed), then what was
-- measured. Loss percentages are of what the sender sent; throughput is
-- iperf3's receiver side. An empty dump_frames is NULL, as when not set.
-- displayable_Nms_pct: % of the frames sent that were complete, decodable
-- and in within N ms of capture (the deadlines are 100, 150 and 200 ms;
-- "within" includes N), NULL when a displayable frame's latency is unknown.
CREATE TEMP VIEW IF NOT EXISTS run_summary AS
SELECT r.id AS run_id, r.campaign, r.kernel, r.ring, r.qdisc, r.profile, r.traffic, r.clip, r.cameras,
  r.sndbuf, r.pace, r.vpn, r.decode, nullif(r.dump_frames, '') AS dump_frames, r.cpu_limit,
  r.tcp_omit, r.flag, r.duration, r.seed, r.repetition, r.flag_applied,
  r.qdisc_kind, r.qdisc_limit, r.qdisc_applied, r.kernel_release, r.accel,
  r.valid, r.invalid_reason, r.cpu_busy_pct,
  a.sent AS pkts_sent, a.received AS pkts_received,
  CASE WHEN a.sent > 0 THEN 100.0 * (a.sent - a.received) / a.sent END AS pkt_loss_pct,
  a.ring_drops, a.qdisc_drops, a.socket_drops, a.wan_drops, a.vpn_drops, a.receiver_drops,
  a.unexplained,
  -- lost on the robot before the VPN: what ring, qdisc and socket buffer
  -- sizing decide (the WAN's own loss is not theirs to fix)
  a.ring_drops + a.qdisc_drops + a.socket_drops AS local_drops,
  f.frames_sent,
  CASE WHEN f.frames_sent > 0 THEN 100.0 * f.frames_lost / f.frames_sent END AS frame_loss_pct,
  CASE WHEN f.frames_sent > 0 THEN 100.0 * f.frames_artifacts / f.frames_sent END AS artifact_pct,
  l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms,
  CASE WHEN f.frames_sent > 0 AND f.frames_untimed = 0 THEN 100.0 * f.frames_by_100ms / f.frames_sent END AS displayable_100ms_pct,
  CASE WHEN f.frames_sent > 0 AND f.frames_untimed = 0 THEN 100.0 * f.frames_by_150ms / f.frames_sent END AS displayable_150ms_pct,
  CASE WHEN f.frames_sent > 0 AND f.frames_untimed = 0 THEN 100.0 * f.frames_by_200ms / f.frames_sent END AS displayable_200ms_pct,
  f.blocked_ms, f.max_blocked_ms,
  t.receiver_bps / 1e6 AS tcp_mbit_s, t.retransmits AS tcp_retransmits,
  c.converged AS tcp_converged, c.halves_diff_pct AS tcp_halves_diff_pct
FROM runs r
LEFT JOIN run_attribution a ON a.run_id = r.id
LEFT JOIN run_frames f ON f.run_id = r.id
LEFT JOIN run_latency l ON l.run_id = r.id
LEFT JOIN tcp_results t ON t.run_id = r.id
LEFT JOIN tcp_convergence c ON c.run_id = r.id
WHERE r.status = 'done';

-- Per point (all settings but the repetition; the columns up to runs): mean
-- and sample standard deviation over the valid repetitions; invalid ones are
-- counted, not used. The inner query blanks every metric of an invalid run
-- (v_*), so the aggregates below see valid runs only; sd = sqrt(n/(n-1) *
-- (mean of squares - square of mean)), NULL for a single run.
CREATE TEMP VIEW IF NOT EXISTS point_summary AS
SELECT campaign, kernel, ring, qdisc, profile, traffic, clip, cameras, sndbuf, pace, vpn, decode,
  dump_frames, cpu_limit, tcp_omit, flag, duration, seed,
  -- IS, not =: a sum over NULL validity would be NULL, not 0
  sum(valid IS 1) AS runs, sum(valid IS 0) AS invalid_runs, sum(valid IS NULL) AS unknown_runs,
  sum(valid IS 1 AND tcp_converged IS 0) AS unconverged_runs,
  avg(v_loss) AS pkt_loss_pct,
  sqrt(max(0, avg(v_loss * v_loss) - avg(v_loss) * avg(v_loss)) * count(v_loss) / nullif(count(v_loss) - 1, 0)) AS pkt_loss_sd,
  avg(v_frame) AS frame_loss_pct,
  sqrt(max(0, avg(v_frame * v_frame) - avg(v_frame) * avg(v_frame)) * count(v_frame) / nullif(count(v_frame) - 1, 0)) AS frame_loss_sd,
  avg(v_artifact) AS artifact_pct,
  sqrt(max(0, avg(v_artifact * v_artifact) - avg(v_artifact) * avg(v_artifact)) * count(v_artifact) / nullif(count(v_artifact) - 1, 0)) AS artifact_sd,
  avg(v_ring) AS ring_drops,
  max(v_local) AS max_local_drops,
  avg(v_qdisc) AS qdisc_drops,
  avg(v_p50) AS p50_ms,
  sqrt(max(0, avg(v_p50 * v_p50) - avg(v_p50) * avg(v_p50)) * count(v_p50) / nullif(count(v_p50) - 1, 0)) AS p50_sd,
  avg(v_p95) AS p95_ms,
  sqrt(max(0, avg(v_p95 * v_p95) - avg(v_p95) * avg(v_p95)) * count(v_p95) / nullif(count(v_p95) - 1, 0)) AS p95_sd,
  avg(v_p99) AS p99_ms,
  sqrt(max(0, avg(v_p99 * v_p99) - avg(v_p99) * avg(v_p99)) * count(v_p99) / nullif(count(v_p99) - 1, 0)) AS p99_sd,
  max(v_max) AS max_ms,
  avg(v_d100) AS displayable_100ms_pct,
  sqrt(max(0, avg(v_d100 * v_d100) - avg(v_d100) * avg(v_d100)) * count(v_d100) / nullif(count(v_d100) - 1, 0)) AS displayable_100ms_sd,
  avg(v_d150) AS displayable_150ms_pct,
  sqrt(max(0, avg(v_d150 * v_d150) - avg(v_d150) * avg(v_d150)) * count(v_d150) / nullif(count(v_d150) - 1, 0)) AS displayable_150ms_sd,
  avg(v_d200) AS displayable_200ms_pct,
  sqrt(max(0, avg(v_d200 * v_d200) - avg(v_d200) * avg(v_d200)) * count(v_d200) / nullif(count(v_d200) - 1, 0)) AS displayable_200ms_sd,
  avg(v_blocked) AS blocked_ms,
  sqrt(max(0, avg(v_blocked * v_blocked) - avg(v_blocked) * avg(v_blocked)) * count(v_blocked) / nullif(count(v_blocked) - 1, 0)) AS blocked_sd,
  avg(v_tcp) AS tcp_mbit_s,
  sqrt(max(0, avg(v_tcp * v_tcp) - avg(v_tcp) * avg(v_tcp)) * count(v_tcp) / nullif(count(v_tcp) - 1, 0)) AS tcp_mbit_sd
FROM (SELECT *,
    CASE WHEN valid = 1 THEN pkt_loss_pct END AS v_loss, CASE WHEN valid = 1 THEN frame_loss_pct END AS v_frame,
    CASE WHEN valid = 1 THEN artifact_pct END AS v_artifact, CASE WHEN valid = 1 THEN ring_drops END AS v_ring,
    CASE WHEN valid = 1 THEN local_drops END AS v_local, CASE WHEN valid = 1 THEN qdisc_drops END AS v_qdisc,
    CASE WHEN valid = 1 THEN p50_ms END AS v_p50, CASE WHEN valid = 1 THEN p95_ms END AS v_p95,
    CASE WHEN valid = 1 THEN p99_ms END AS v_p99, CASE WHEN valid = 1 THEN max_ms END AS v_max,
    CASE WHEN valid = 1 THEN displayable_100ms_pct END AS v_d100, CASE WHEN valid = 1 THEN displayable_150ms_pct END AS v_d150,
    CASE WHEN valid = 1 THEN displayable_200ms_pct END AS v_d200,
    CASE WHEN valid = 1 THEN blocked_ms END AS v_blocked, CASE WHEN valid = 1 THEN tcp_mbit_s END AS v_tcp
  FROM run_summary)
GROUP BY campaign, kernel, ring, qdisc, profile, traffic, clip, cameras, sndbuf, pace, vpn, decode,
  dump_frames, cpu_limit, tcp_omit, flag, duration, seed;
