-- A small hand-made results database with answers worked out by hand
-- (see views_test.sh). Loaded into a store made by `tb-db init`.
-- Point A = stock, ring 25, pfifo limit 25000, lan, video: runs 1, 2 valid,
-- run 3 invalid. Point B = nodrop-v2, same knobs: run 4. Point C = stock,
-- ring 10, de-us, tcp: runs 5, 6. Point D = nodrop-v2, ring 25, mixed
-- (video beside a TCP upload): run 8. Point E = nodrop-v2, ring 10, de-us,
-- tcp: run 9. Point F = nodrop-v2, ring 100, fq_codel, pace 0.5, decode on,
-- frames 3 and 5 kept, CPU limit 80 %, 20 s: run 10, a packet lost in every
-- place. Point G = F but decode off and no frames kept: runs 11 (dump_frames
-- '') and 12 (NULL, the same setting), nothing lost.
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
 (12, 'fx', 'G2', 'video', 'nodrop-v2', 'tcg', 100, 'fq_codel', 'fq_codel', 10240, 'lan', 'video', '720p30', 0, 0.5, 'openvpn', 'off', NULL, 80, 20, 1, 2, 'done', 1, NULL, 65);

-- Ten frames of five packets per video run, 1 ms blocked each.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO frames_sent(run_id, frame_no, type, size_bytes, packets, send_errors, blocked_ns)
SELECT r.id, n.i, CASE n.i WHEN 0 THEN 'I' ELSE 'P' END, 5000, 5, 0, 1000000
FROM n, (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 8
  UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12) r;
-- run 10: send() refused one packet of frame 0
UPDATE frames_sent SET send_errors = 1 WHERE run_id = 10 AND frame_no = 0;

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

-- Counters: run 1 lost 2 packets in the ring, run 2 lost 4, run 3 lost 5
-- (3 in the ring, 1 in netem, 1 on the robot's veth: 2 to the WAN), run 4
-- none. OpenVPN read what reached it. Run 8's tun also carried the TCP
-- upload: its ring drops are not the video's alone. Run 10 (50 sent, 1
-- refused by send()): 2 in the ring, 3 in the qdisc, OpenVPN read 44, 4
-- dropped on the WAN, 35 delivered (so 44 - 4 - 35 = 5 lost in OpenVPN), 8
-- RcvbufErrors of which 2 on OpenVPN's socket (6 the receiver's), 22
-- received: 50 - 22 - 1 - 2 - 3 - 4 - 5 - 6 = 7 unexplained.
INSERT INTO counters(run_id, place, name, before, after) VALUES
 (1, 'ring', 'tx_dropped', 10, 12), (1, 'ring', 'tx_packets', 100, 148), (1, 'qdisc', 'dropped', 0, 0),
 (1, 'wan', 'up.dropped', 0, 0), (1, 'vpn', 'operator_tun_rx_packets', 50, 98),
 (1, 'recv', 'udp_rcvbuf_errors', 0, 0), (1, 'vpn', 'operator_socket_drops', 0, 0),
 (2, 'ring', 'tx_dropped', 12, 16), (2, 'ring', 'tx_packets', 148, 194), (2, 'qdisc', 'dropped', 0, 0),
 (2, 'wan', 'up.dropped', 0, 0), (2, 'vpn', 'operator_tun_rx_packets', 98, 144),
 (2, 'recv', 'udp_rcvbuf_errors', 0, 0), (2, 'vpn', 'operator_socket_drops', 0, 0),
 (3, 'ring', 'tx_dropped', 0, 3), (3, 'ring', 'tx_packets', 0, 47), (3, 'qdisc', 'dropped', 0, 0),
 (3, 'wan', 'up.dropped', 0, 1), (3, 'robot', 'veth_tx_dropped', 2, 3), (3, 'vpn', 'operator_tun_rx_packets', 0, 45),
 (3, 'recv', 'udp_rcvbuf_errors', 0, 0), (3, 'vpn', 'operator_socket_drops', 0, 0),
 (4, 'ring', 'tx_dropped', 0, 0), (4, 'ring', 'tx_packets', 0, 50), (4, 'qdisc', 'dropped', 0, 0),
 (4, 'wan', 'up.dropped', 0, 0), (4, 'vpn', 'operator_tun_rx_packets', 0, 50),
 (4, 'recv', 'udp_rcvbuf_errors', 3, 5), (4, 'vpn', 'operator_socket_drops', 7, 9),
 (8, 'ring', 'tx_dropped', 0, 7), (8, 'ring', 'tx_packets', 0, 900), (8, 'qdisc', 'dropped', 0, 0),
 (8, 'wan', 'up.dropped', 0, 0), (8, 'vpn', 'operator_tun_rx_packets', 0, 893),
 (10, 'ring', 'tx_dropped', 5, 7), (10, 'ring', 'tx_packets', 0, 44), (10, 'qdisc', 'dropped', 1, 4),
 (10, 'wan', 'up.dropped', 0, 4), (10, 'vpn', 'operator_tun_rx_packets', 0, 35),
 (10, 'recv', 'udp_rcvbuf_errors', 0, 8), (10, 'vpn', 'operator_socket_drops', 0, 2),
 (10, 'receiver', 'received', 0, 22);

INSERT INTO tcp_results(run_id, duration_s, sender_bps, receiver_bps, retransmits) VALUES
 (5, 10, 2.1e6, 2e6, 100), (6, 10, 4.1e6, 4e6, 50), (8, 10, 1.6e6, 1.5e6, 20), (9, 10, 5.2e6, 5e6, 10);
