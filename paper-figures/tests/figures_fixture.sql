-- Synthetic runs covering every figure (values invented, shapes like the
-- paper's): loaded by figures_test.sh into a store made by `tb-db init`.
-- Video: stock and nodrop-v2 at rings 1, 25, 500, two repetitions each.
WITH RECURSIVE
 k(kernel, kid) AS (VALUES ('stock', 0), ('nodrop-v2', 1)),
 g(ring) AS (VALUES (1), (25), (500)),
 rep(r) AS (VALUES (1), (2))
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, clip, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
SELECT 'fig', 'video', kernel, ring, 'pfifo limit 25000', 'pfifo', 'lan', 'video', '720p30', 0, 0,
  'openvpn', 'off', 90, 10, 1, r, 'done', 1 FROM k, g, rep;
-- 30 frames of 4 packets per video run; stock loses packets of frame 0 at
-- small rings; latency grows with the frame number.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_sent(run_id, frame_no, packets, send_errors, blocked_ns)
SELECT id, i, 4, 0, 0 FROM runs, n WHERE kind = 'video';
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT id, 0, i, 4,
  CASE WHEN kernel = 'stock' AND ring < 500 AND i % 10 = 0 THEN 4 - repetition ELSE 4 END,
  CASE WHEN kernel = 'stock' AND ring < 500 AND i % 10 = 0 THEN 0 ELSE 1 END,
  CASE WHEN kernel = 'stock' AND ring < 500 AND i % 10 = 0 THEN 0 ELSE 1 END,
  (20 + i + ring / 10) * 1000000
FROM runs, n WHERE kind = 'video';
-- Figure 4 also needs fq_codel runs of nodrop-v2: one of 30 frames whose
-- latencies straddle the deadlines, 90 + 5 i ms (90 to 235 ms), frame 5
-- lost, frame 7 damaged (complete, not decodable). Shown by 100 ms: frames
-- 0-2, 3 of 30 (10 %); by 150 ms: 0-12 but 5 and 7, 11 (37 %); by 200 ms:
-- 0-22 but 5 and 7, 21 (70 %); ever: 28 of 30.
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, clip, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
VALUES ('fig', 'video', 'nodrop-v2', 25, 'fq_codel', 'fq_codel', 'lan', 'video', '720p30', 0, 0,
  'openvpn', 'off', 90, 10, 1, 1, 'done', 1);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_sent(run_id, frame_no, packets, send_errors, blocked_ns)
SELECT (SELECT max(id) FROM runs), i, 4, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT (SELECT max(id) FROM runs), 0, i, 4, 4, 1, i != 7, (90 + 5 * i) * 1000000 FROM n WHERE i != 5;
-- TCP: rings at de-us, RTTs at ring 500, and lan at ring 500.
WITH k(kernel) AS (VALUES ('stock'), ('nodrop-v2')),
 pts(profile, ring) AS (VALUES ('de-us', 10), ('de-us', 100), ('de-us', 500),
   ('lab-rtt-10', 500), ('lab-rtt-40', 500), ('lab-rtt-120', 500), ('lan', 500)),
 rep(r) AS (VALUES (1), (2))
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
SELECT 'fig', 'tcp', kernel, ring, 'pfifo_fast', 'pfifo_fast', profile, 'tcp', 0, 0,
  'openvpn', 'off', 90, 10, 1, r, 'done', 1
FROM k, pts, rep;
INSERT INTO tcp_results(run_id, receiver_bps)
SELECT id, (CASE WHEN kernel = 'stock' AND ring < 500 THEN 1 + ring / 50.0 ELSE 12 END + repetition * 0.5) * 1e6
FROM runs WHERE kind = 'tcp';
-- A calibration (./testbed calibrate) in a campaign of its own: the guest
-- VPN's capacity on lan, 20 and 22 Mbit/s, mean 21 (figure 2b's scale).
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
VALUES ('calibrate-20260101T000000Z', 'tcp', 'stock', 500, 'pfifo limit 25000', 'pfifo', 'lan', 'tcp', 0, 0,
  'openvpn', 'off', 90, 8, 1, 1, 'done', 1),
 ('calibrate-20260101T000000Z', 'tcp', 'stock', 500, 'pfifo limit 25000', 'pfifo', 'lan', 'tcp', 0, 0,
  'openvpn', 'off', 90, 8, 1, 2, 'done', 1);
INSERT INTO tcp_results(run_id, receiver_bps)
SELECT id, (18 + 2 * repetition) * 1e6 FROM runs WHERE campaign LIKE 'calibrate-%';
-- Figure 1's other clips and figure 1b's cameras, all at ring 25 (30 frames
-- of 4 packets per camera, as above). 480p30, one camera, stock, once: frame
-- 0 short by 2 packets: 2 of 120 packets (1.6667 %), 1 of 30 frames lost.
-- 720p30 with 2 cameras (streams 0 and 1), stock and nodrop-v2, twice each:
-- stock's camera 0 loses 1 packet of frames 0, 10 and 20, camera 1 2 of
-- frames 0 and 10: 7 of 240 packets (2.9167 %), 5 of 60 frames (8.3333 %)
-- in both repetitions; nodrop-v2 nothing. Their frame 5 is two frames, one
-- per camera, each received whole.
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, clip, cameras, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
VALUES ('fig', 'video', 'stock', 25, 'pfifo limit 25000', 'pfifo', 'lan', 'video', '480p30', 1, 0, 0,
  'openvpn', 'off', 90, 10, 1, 1, 'done', 1);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_sent(run_id, stream, frame_no, packets, send_errors, blocked_ns)
SELECT (SELECT max(id) FROM runs), 0, i, 4, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT (SELECT max(id) FROM runs), 0, i, 4, CASE WHEN i = 0 THEN 2 ELSE 4 END, i != 0, i != 0, 30000000 FROM n;
WITH k(kernel) AS (VALUES ('stock'), ('nodrop-v2')), rep(r) AS (VALUES (1), (2))
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, clip, cameras, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
SELECT 'fig', 'video', kernel, 25, 'pfifo limit 25000', 'pfifo', 'lan', 'video', '720p30', 2, 0, 0,
  'openvpn', 'off', 90, 10, 1, r, 'done', 1 FROM k, rep;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29), cam(c) AS (VALUES (0), (1))
INSERT INTO frames_sent(run_id, stream, frame_no, packets, send_errors, blocked_ns)
SELECT id, c, i, 4, 0, 0 FROM runs, n, cam WHERE cameras = 2;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29), cam(c) AS (VALUES (0), (1))
INSERT INTO frames_recv(run_id, stream, frame_no, pkts_expected, pkts_received, complete, decodable, latency_ns)
SELECT id, c, i, 4, 4 - l, l = 0, l = 0, 30000000 FROM (SELECT id, c, i,
  CASE WHEN kernel = 'stock' AND c = 0 AND i % 10 = 0 THEN 1
       WHEN kernel = 'stock' AND c = 1 AND i IN (0, 10) THEN 2 ELSE 0 END AS l
  FROM runs, n, cam WHERE cameras = 2);
-- Figure 3b: TCP over OpenVPN at its matched ring, 500 x 21 / 416.9 = 25.19
-- -> 25 packets (the calibration's 21 Mbit/s, the paper's lab capacity of
-- OpenVPN), at lab-rtt-10, 40 and 120, twice each: stock 16.8 and 17.2, 6.3
-- twice, 2.1 and 2.3 Mbit/s; nodrop-v2 21.0, 18.9, 8.4 twice each. And one
-- stock run at ring 26, lab-rtt-40, 1 Mbit/s, which figure 3b must not draw.
CREATE TEMP TABLE matched(kernel, ring, profile, repetition, mbit);
INSERT INTO matched VALUES
  ('stock', 25, 'lab-rtt-10', 1, 16.8), ('stock', 25, 'lab-rtt-10', 2, 17.2),
  ('stock', 25, 'lab-rtt-40', 1, 6.3), ('stock', 25, 'lab-rtt-40', 2, 6.3),
  ('stock', 25, 'lab-rtt-120', 1, 2.1), ('stock', 25, 'lab-rtt-120', 2, 2.3),
  ('nodrop-v2', 25, 'lab-rtt-10', 1, 21.0), ('nodrop-v2', 25, 'lab-rtt-10', 2, 21.0),
  ('nodrop-v2', 25, 'lab-rtt-40', 1, 18.9), ('nodrop-v2', 25, 'lab-rtt-40', 2, 18.9),
  ('nodrop-v2', 25, 'lab-rtt-120', 1, 8.4), ('nodrop-v2', 25, 'lab-rtt-120', 2, 8.4),
  ('stock', 26, 'lab-rtt-40', 1, 1.0);
INSERT INTO runs(campaign, kind, kernel, ring, qdisc, qdisc_kind, profile, traffic, sndbuf, pace,
  vpn, decode, cpu_limit, duration, seed, repetition, status, valid)
SELECT 'fig', 'tcp', kernel, ring, 'pfifo_fast', 'pfifo_fast', profile, 'tcp', 0, 0,
  'openvpn', 'off', 90, 10, 1, repetition, 'done', 1 FROM matched;
INSERT INTO tcp_results(run_id, receiver_bps)
SELECT r.id, m.mbit * 1e6 FROM runs r JOIN matched m ON r.campaign = 'fig' AND r.kind = 'tcp'
  AND r.kernel = m.kernel AND r.ring = m.ring AND r.profile = m.profile AND r.repetition = m.repetition;
DROP TABLE matched;
