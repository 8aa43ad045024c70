-- A small hand-made results database with answers worked out by hand
-- (see views_test.sh). Loaded into a store made by `tb-db init`.
-- Point A = stock, ring 25, pfifo limit 25000, lan, video: runs 1, 2 valid,
-- run 3 invalid. Point B = nodrop-v2, same knobs: run 4. Point C = stock,
-- ring 10, de-us, tcp: runs 5, 6. Point D = nodrop-v2, ring 25, mixed
-- (video beside a TCP upload): run 8. Point E = nodrop-v2, ring 10, de-us,
-- tcp: run 9. Point F = nodrop-v2, ring 100, fq_codel, pace 0.5, decode on,
-- frames 3 and 5 kept, CPU limit 80 %, 20 s: run 10, a packet lost in every
-- place. Point G = F but decode off and no frames kept: runs 11 (dump_frames
-- '') and 12 (NULL, the same setting), nothing lost; run 12's sender had no
-- frame extension (no latency known). Point H = stock, ring 50: runs 13 and
-- 14, frames whose latencies straddle the deadlines of 100, 150 and 200 ms,
-- with lost and damaged frames. Point I = campaign fx2: stock, ring 25,
-- lte-uplink: run 15, frames 4 and 5 lost (40 of 50 packets in, 20 %
-- lost), no patched run beside it. Runs 5, 6 (de-us) and 15 (lte-uplink)
-- recorded their WAN profile's values (knobs_json). Campaign early: point
-- L = stock and K = nodrop-v2, ring 500, lan, tcp: runs 16 (20 Mbit/s) and
-- 18 (18 Mbit/s, -10 % of stock); point J = L in campaign fx: run 17 (10
-- Mbit/s). Campaign checks: run 19, every packet arrived but netem's
-- counter claims 2 drops (a wrong counter, which must show as unexplained),
-- and its validity is unknown (no CPU samples of tb-recv);
-- run 20, nodrop-v2 with noqueue: send() got ENETDOWN for 3 packets, which
-- the core also counted in the tun's tx_dropped (counted once, as socket).
INSERT INTO runs(id, campaign, point_key, kind, kernel, accel, ring, qdisc, qdisc_kind, qdisc_limit,
  profile, traffic, clip, sndbuf, pace, vpn, decode, dump_frames, cpu_limit, duration, seed, repetition,
  status, valid, invalid_reason, cpu_busy_pct)
VALUES
 (1, 'fx', 'A1', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 40),
 (2, 'fx', 'A2', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 2, 'done', 1, NULL, 50),
 (3, 'fx', 'A3', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 3, 'done', 0, 'guest CPU saturated', 97),
 (4, 'fx', 'B1', 'video', 'nodrop-v2', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 45),
 (5, 'fx', 'C1', 'tcp', 'stock', 'tcg', 10, 'pfifo_fast', 'pfifo_fast', 10, 'de-us', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 60),
 (6, 'fx', 'C2', 'tcp', 'stock', 'tcg', 10, 'pfifo_fast', 'pfifo_fast', 10, 'de-us', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 2, 'done', 1, NULL, 60),
 (7, 'fx', 'A4', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 4, 'running', NULL, NULL, NULL),
 (8, 'fx', 'D1', 'mixed', 'nodrop-v2', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'mixed', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 55),
 (9, 'fx', 'E1', 'tcp', 'nodrop-v2', 'tcg', 10, 'pfifo_fast', 'pfifo_fast', 10, 'de-us', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 70),
 (10, 'fx', 'F1', 'video', 'nodrop-v2', 'tcg', 100, 'fq_codel', 'fq_codel', 10240, 'lan', 'video', '720p30', 0, 0.5, 'openvpn', 'on', '3,5', 80, 20, 1, 1, 'done', 1, NULL, 65),
 (11, 'fx', 'G1', 'video', 'nodrop-v2', 'tcg', 100, 'fq_codel', 'fq_codel', 10240, 'lan', 'video', '720p30', 0, 0.5, 'openvpn', 'off', '', 80, 20, 1, 1, 'done', 1, NULL, 65),
 (12, 'fx', 'G2', 'video', 'nodrop-v2', 'tcg', 100, 'fq_codel', 'fq_codel', 10240, 'lan', 'video', '720p30', 0, 0.5, 'openvpn', 'off', NULL, 80, 20, 1, 2, 'done', 1, NULL, 65),
 (13, 'fx', 'H1', 'video', 'stock', 'tcg', 50, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 50),
 (14, 'fx', 'H2', 'video', 'stock', 'tcg', 50, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 2, 'done', 1, NULL, 50),
 (15, 'fx2', 'I1', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lte-uplink', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 50),
 (16, 'early', 'L1', 'tcp', 'stock', 'tcg', 500, 'pfifo_fast', 'pfifo_fast', 500, 'lan', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 60),
 (17, 'fx', 'J1', 'tcp', 'stock', 'tcg', 500, 'pfifo_fast', 'pfifo_fast', 500, 'lan', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 60),
 (18, 'early', 'K1', 'tcp', 'nodrop-v2', 'tcg', 500, 'pfifo_fast', 'pfifo_fast', 500, 'lan', 'tcp', NULL, 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 60),
 (19, 'checks', 'W1', 'video', 'nodrop-v2', 'tcg', 500, 'pfifo_fast', 'pfifo_fast', 500, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', NULL, 'unknown: no CPU samples of tb-recv', 40),
 (20, 'checks', 'X1', 'video', 'nodrop-v2', 'tcg', 25, 'noqueue', 'noqueue', NULL, 'lan', 'video', '720p30', 0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 40);
UPDATE runs SET knobs_json = '{"profile_values":{"bottleneck":"vpn","up":{"active":true,"delay_us":60000,"netem":"limit 5000 delay 60ms"},'
  || '"down":{"active":true,"delay_us":60000,"netem":"limit 5000 delay 60ms"}}}' WHERE id IN (5, 6);
UPDATE runs SET knobs_json = '{"profile_values":{"bottleneck":"link","up":{"active":true,"delay_us":20000,"netem":"limit 261 delay 20ms rate 5mbit"},'
  || '"down":{"active":false,"delay_us":0}}}' WHERE id = 15;

-- Ten frames of five packets per video run, 1 ms blocked each, captured
-- 33.333333 ms apart (30 frames/s), an IDR first: 5000 bytes a frame is
-- 8 * 5000 * 30 = 1.2 Mbit/s, an IDR every 10 frames.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO frames_sent(run_id, frame_no, type, idr, size_bytes, packets, send_errors, blocked_ns, capture_ns)
SELECT r.id, n.i, CASE n.i WHEN 0 THEN 'I' ELSE 'P' END, n.i = 0, 5000, 5, 0, 1000000, 1700000000000000000 + n.i * 33333333
FROM n, (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 8
  UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15) r;
-- run 10: send() refused one packet of frame 0
UPDATE frames_sent SET send_errors = 1 WHERE run_id = 10 AND frame_no = 0;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO frames_sent(run_id, frame_no, type, idr, size_bytes, packets, send_errors, blocked_ns, capture_ns)
SELECT r.id, n.i, CASE n.i WHEN 0 THEN 'I' ELSE 'P' END, n.i = 0, 5000, 5, 0, 1000000, 1700000000000000000 + n.i * 33333333
FROM n, (SELECT 19 AS id UNION ALL SELECT 20) r;
-- run 20: ENETDOWN for 3 packets of frame 0
UPDATE frames_sent SET send_errors = 3 WHERE run_id = 20 AND frame_no = 0;

-- Receiver: frame 3 damaged (run 1: 3 of 5 packets, run 2: 1 of 5, run 3:
-- 0 of 5, run 4: all, run 8: 3 of 5, runs 11, 12: all), frames after it undecodable
-- until the end (no IDR). Run 10 has no frame rows: its receiver's own count
-- says how many packets arrived.
-- Latency of frame i: (i + 1) * 10 ms.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT r.id, 0, n.i, 5,
  CASE WHEN n.i = 3 THEN r.got ELSE 5 END,
  CASE WHEN n.i = 3 AND r.got < 5 THEN 0 ELSE 1 END,
  CASE WHEN n.i >= 3 AND r.got < 5 THEN 0 ELSE 1 END,
  (n.i + 1) * 10000000
FROM n, (SELECT 1 AS id, 3 AS got UNION ALL SELECT 2, 1 UNION ALL SELECT 3, 0 UNION ALL SELECT 4, 5 UNION ALL SELECT 8, 3
  UNION ALL SELECT 11, 5 UNION ALL SELECT 12, 5) r;
UPDATE frames_recv SET latency_ns = NULL WHERE run_id = 12;

-- Point H, frame by frame (latency in ms; "lost": no row at all):
--   run 13: 50, 100, 101, 150, 180, 200, 250, lost, 60 but damaged (complete,
--           not decodable), 40 but incomplete (2 of 5 packets)
--     within 100 ms: frames 0, 1 (2 of 10); 150 ms: + 2, 3 (4); 200 ms: + 4, 5 (6)
--   run 14: 30, 60, 90, 100, 100.000001, 170, 199, 200, 201, lost
--     within 100 ms: frames 0-3 (4 of 10); 150 ms: + 4 (5); 200 ms: + 5-7 (8)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns) VALUES
 (13, 0, 0, 5, 5, 1, 1, 50000000), (13, 0, 1, 5, 5, 1, 1, 100000000), (13, 0, 2, 5, 5, 1, 1, 101000000),
 (13, 0, 3, 5, 5, 1, 1, 150000000), (13, 0, 4, 5, 5, 1, 1, 180000000), (13, 0, 5, 5, 5, 1, 1, 200000000),
 (13, 0, 6, 5, 5, 1, 1, 250000000), (13, 0, 8, 5, 5, 1, 0, 60000000), (13, 0, 9, 5, 2, 0, 0, 40000000),
 (14, 0, 0, 5, 5, 1, 1, 30000000), (14, 0, 1, 5, 5, 1, 1, 60000000), (14, 0, 2, 5, 5, 1, 1, 90000000),
 (14, 0, 3, 5, 5, 1, 1, 100000000), (14, 0, 4, 5, 5, 1, 1, 100000001), (14, 0, 5, 5, 5, 1, 1, 170000000),
 (14, 0, 6, 5, 5, 1, 1, 199000000), (14, 0, 7, 5, 5, 1, 1, 200000000), (14, 0, 8, 5, 5, 1, 1, 201000000);
-- Run 15: frames 0-3 whole, 4 and 5 lost, 6-9 whole but undecodable (their
-- reference lost), (i + 1) * 10 ms.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT 15, 0, i, 5, 5, 1, i < 4, (i + 1) * 10000000 FROM n WHERE i NOT IN (4, 5);

-- Counters: run 1 lost 2 packets in the ring, run 2 lost 4, run 3 lost 5
-- (3 in the ring, 1 in netem, 1 on the robot's veth: 2 to the WAN), run 4
-- none. OpenVPN read what reached it. Run 8's tun also carried the TCP
-- upload: its ring drops are not the video's alone. Run 10 (50 sent, 1
-- refused by send()): 2 in the ring, 3 in the qdisc, OpenVPN read 44, 4
-- dropped on the WAN, 35 delivered (so 44 - 4 - 35 = 5 lost in OpenVPN), 8
-- RcvbufErrors of which 2 on OpenVPN's socket (6 the receiver's), 22
-- received: 50 - 22 - 1 - 2 - 3 - 4 - 5 - 6 = 7 unexplained. Each hop's
-- own count: the robot's veth took what OpenVPN sent (run 3: 46 sent and 1
-- dropped there, of 47 read), the WAN handed on what netem let through
-- (run 3: 45); run 10: OpenVPN read 44 and sent 42 (2 lost on the robot),
-- netem dropped 4 of them, 38 reached the operator's veth, 35 delivered (3
-- lost in the operator's OpenVPN, 2 of them on its socket): 2 + 3 = 5 lost
-- in the VPN.
INSERT INTO counters(run_id, place, name, before, after) VALUES
 (1, 'ring', 'tx_dropped', 10, 12), (1, 'ring', 'tx_packets', 100, 148), (1, 'qdisc', 'dropped', 0, 0),
 (1, 'wan', 'up.dropped', 0, 0), (1, 'vpn', 'operator_tun_rx_packets', 50, 98),
 (1, 'recv', 'udp_rcvbuf_errors', 0, 0), (1, 'vpn', 'operator_socket_drops', 0, 0),
 (1, 'robot', 'veth_tx_packets', 7, 55), (1, 'wan', 'up.veth_tx_packets', 0, 48),
 (2, 'ring', 'tx_dropped', 12, 16), (2, 'ring', 'tx_packets', 148, 194), (2, 'qdisc', 'dropped', 0, 0),
 (2, 'wan', 'up.dropped', 0, 0), (2, 'vpn', 'operator_tun_rx_packets', 98, 144),
 (2, 'recv', 'udp_rcvbuf_errors', 0, 0), (2, 'vpn', 'operator_socket_drops', 0, 0),
 (2, 'robot', 'veth_tx_packets', 55, 101), (2, 'wan', 'up.veth_tx_packets', 48, 94),
 (3, 'ring', 'tx_dropped', 0, 3), (3, 'ring', 'tx_packets', 0, 47), (3, 'qdisc', 'dropped', 0, 0),
 (3, 'wan', 'up.dropped', 0, 1), (3, 'robot', 'veth_tx_dropped', 2, 3), (3, 'vpn', 'operator_tun_rx_packets', 0, 45),
 (3, 'recv', 'udp_rcvbuf_errors', 0, 0), (3, 'vpn', 'operator_socket_drops', 0, 0),
 (3, 'robot', 'veth_tx_packets', 0, 46), (3, 'wan', 'up.veth_tx_packets', 0, 45),
 (4, 'ring', 'tx_dropped', 0, 0), (4, 'ring', 'tx_packets', 0, 50), (4, 'qdisc', 'dropped', 0, 0),
 (4, 'wan', 'up.dropped', 0, 0), (4, 'vpn', 'operator_tun_rx_packets', 0, 50),
 (4, 'recv', 'udp_rcvbuf_errors', 3, 5), (4, 'vpn', 'operator_socket_drops', 7, 9),
 (4, 'robot', 'veth_tx_packets', 0, 50), (4, 'wan', 'up.veth_tx_packets', 0, 50),
 (8, 'ring', 'tx_dropped', 0, 7), (8, 'ring', 'tx_packets', 0, 900), (8, 'qdisc', 'dropped', 0, 0),
 (8, 'wan', 'up.dropped', 0, 0), (8, 'vpn', 'operator_tun_rx_packets', 0, 893),
 (10, 'ring', 'tx_dropped', 5, 7), (10, 'ring', 'tx_packets', 0, 44), (10, 'qdisc', 'dropped', 1, 4),
 (10, 'wan', 'up.dropped', 0, 4), (10, 'vpn', 'operator_tun_rx_packets', 0, 35),
 (10, 'recv', 'udp_rcvbuf_errors', 0, 8), (10, 'vpn', 'operator_socket_drops', 0, 2),
 (10, 'receiver', 'received', 0, 22),
 (10, 'robot', 'veth_tx_packets', 0, 42), (10, 'robot', 'veth_tx_dropped', 0, 0), (10, 'wan', 'up.veth_tx_packets', 0, 38),
 (19, 'ring', 'tx_dropped', 0, 0), (19, 'ring', 'tx_packets', 0, 50), (19, 'qdisc', 'dropped', 0, 0),
 (19, 'robot', 'veth_tx_packets', 0, 50), (19, 'wan', 'up.dropped', 0, 2), (19, 'wan', 'up.veth_tx_packets', 0, 50),
 (19, 'vpn', 'operator_tun_rx_packets', 0, 50), (19, 'vpn', 'operator_socket_drops', 0, 0),
 (19, 'recv', 'udp_rcvbuf_errors', 0, 0), (19, 'receiver', 'received', 0, 50),
 (20, 'ring', 'tx_dropped', 0, 3), (20, 'sender', 'enetdown', 0, 3), (20, 'ring', 'tx_packets', 0, 47),
 (20, 'qdisc', 'dropped', 0, 0), (20, 'robot', 'veth_tx_packets', 0, 47), (20, 'wan', 'up.dropped', 0, 0),
 (20, 'wan', 'up.veth_tx_packets', 0, 47), (20, 'vpn', 'operator_tun_rx_packets', 0, 47),
 (20, 'vpn', 'operator_socket_drops', 0, 0), (20, 'recv', 'udp_rcvbuf_errors', 0, 0), (20, 'receiver', 'received', 0, 47);

-- TCP steady state: run 5 omits its first second (a 100 Mbit/s burst that
-- must not count), then halves 2.0 and 2.05 Mbit/s: 2.47 % apart, converged;
-- run 6 climbs, halves 2.5 and 5.5: 75 % apart, not converged; run 9 has an
-- odd count, its middle interval (9 Mbit/s) in neither half: 5 and 5;
-- run 17 has one measured interval, across the middle: not judged.
INSERT INTO tcp_intervals(run_id, start_s, end_s, bits_per_second, omitted) VALUES
 (5, 0, 1, 100e6, 1), (5, 1, 2, 2.0e6, 0), (5, 2, 3, 2.0e6, 0), (5, 3, 4, 2.1e6, 0), (5, 4, 5, 2.0e6, 0),
 (6, 0, 1, 2e6, 0), (6, 1, 2, 3e6, 0), (6, 2, 3, 5e6, 0), (6, 3, 4, 6e6, 0),
 (9, 0, 1, 5e6, 0), (9, 1, 2, 9e6, 0), (9, 2, 3, 5e6, 0),
 (17, 0, 1, 10e6, 0);

INSERT INTO tcp_results(run_id, duration_s, sender_bps, receiver_bps, retransmits) VALUES
 (5, 10, 2.1e6, 2e6, 100), (6, 10, 4.1e6, 4e6, 50), (8, 10, 1.6e6, 1.5e6, 20), (9, 10, 5.2e6, 5e6, 10),
 (16, 10, 20.1e6, 20e6, 0), (17, 10, 10.1e6, 10e6, 0), (18, 10, 18.1e6, 18e6, 0);

-- Campaign cams: point M = stock, ring 25, pfifo limit 25000, lan, 720p30
-- with 2 cameras (streams 0 and 1): run 21, 10 frames of 5 packets per
-- camera, both cameras' frames numbered 0-9. Camera 0 lost frames 0-3
-- entirely (20 packets: no rows); camera 1 got frames 0-3 whole (so a join
-- on frame_no alone would take camera 1's rows for camera 0's frames) and 1
-- of 5 packets of frame 5. Lost: 24 of 100 packets (24 %), 5 of 20 frames
-- (25 %); per camera 4 of 10 frames (30 of 50 packets in) and 1 of 10 (46
-- of 50). The receivers' summed count is 76, all 24 lost in the ring.
INSERT INTO runs(id, campaign, point_key, kind, kernel, accel, ring, qdisc, qdisc_kind, qdisc_limit,
  profile, traffic, clip, cameras, sndbuf, pace, vpn, decode, dump_frames, cpu_limit, duration, seed, repetition,
  status, valid, invalid_reason, cpu_busy_pct)
VALUES (21, 'cams', 'M1', 'video', 'stock', 'tcg', 25, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 2,
  0, 0, 'openvpn', 'off', NULL, 90, 10, 1, 1, 'done', 1, NULL, 45);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9), cam(c) AS (VALUES (0), (1))
INSERT INTO frames_sent(run_id, stream, frame_no, type, idr, size_bytes, packets, send_errors, blocked_ns, capture_ns)
SELECT 21, c, i, CASE i WHEN 0 THEN 'I' ELSE 'P' END, i = 0, 5000, 5, 0, 1000000, 1700000000000000000 + i * 33333333
FROM n, cam;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9), cam(c) AS (VALUES (0), (1))
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT 21, c, i, 5, CASE WHEN c = 1 AND i = 5 THEN 1 ELSE 5 END, NOT (c = 1 AND i = 5),
  NOT (c = 1 AND i >= 5) AND c = 1, (i + 1) * 10000000
FROM n, cam WHERE NOT (c = 0 AND i < 4);
INSERT INTO counters(run_id, place, name, before, after) VALUES
 (21, 'ring', 'tx_dropped', 0, 24), (21, 'ring', 'tx_packets', 0, 76), (21, 'qdisc', 'dropped', 0, 0),
 (21, 'robot', 'veth_tx_packets', 0, 76), (21, 'wan', 'up.dropped', 0, 0), (21, 'wan', 'up.veth_tx_packets', 0, 76),
 (21, 'vpn', 'operator_tun_rx_packets', 0, 76), (21, 'vpn', 'operator_socket_drops', 0, 0),
 (21, 'recv', 'udp_rcvbuf_errors', 0, 0), (21, 'receiver', 'received', 0, 76);
-- Run 22: a point whose only run has unknown validity (no CPU samples of
-- tb-send: a 2 s run on a slow host). point_summary still counts it: 0
-- valid, 0 invalid, 1 unknown (sums over NULL validity are 0, not NULL).
INSERT INTO runs(id, campaign, point_key, kind, kernel, accel, ring, qdisc, qdisc_kind, qdisc_limit,
  profile, traffic, clip, cameras, sndbuf, pace, vpn, decode, dump_frames, cpu_limit, duration, seed, repetition,
  status, valid, invalid_reason, cpu_busy_pct)
VALUES (22, 'unk', 'U1', 'video', 'stock', 'tcg', 500, 'pfifo limit 25000', 'pfifo', 25000, 'lan', 'video', '720p30', 1,
  0, 0, 'openvpn', 'off', NULL, 90, 2, 1, 1, 'done', NULL, 'unknown: no CPU samples of tb-send', 45);
