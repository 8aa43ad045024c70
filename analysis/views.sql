-- Views over the results store, created as TEMP views by every reader
-- (tb-db query --views, ./testbed report), so they can change without a
-- schema migration. Times in the store are ns; views name their units.

-- Counter deltas of a run: after - before, per place and name.
CREATE TEMP VIEW IF NOT EXISTS counter_delta AS
SELECT run_id, place, name, after - before AS delta
FROM counters WHERE before >= 0 AND after >= 0;

-- Packets of the video flow, counted where they were seen (video-only runs:
-- there the tun devices carry nothing else).
CREATE TEMP VIEW IF NOT EXISTS run_video_packets AS
SELECT r.id AS run_id,
  (SELECT coalesce(sum(packets), 0) FROM frames_sent WHERE run_id = r.id) AS sent,
  (SELECT coalesce(sum(send_errors), 0) FROM frames_sent WHERE run_id = r.id) AS socket,
  (SELECT coalesce(sum(pkts_received), 0) FROM frames_recv WHERE run_id = r.id) AS received,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'ring' AND name = 'tx_dropped') AS ring,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'ring' AND name = 'tx_packets') AS vpn_read,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'qdisc' AND name = 'dropped') AS qdisc,
  (SELECT coalesce(sum(delta), 0) FROM counter_delta WHERE run_id = r.id AND place = 'wan'
     AND name IN ('up.dropped', 'up.veth_tx_dropped')) AS wan,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'vpn' AND name = 'operator_tun_rx_packets') AS vpn_delivered,
  (SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'recv' AND name = 'udp_rcvbuf_errors')
  - coalesce((SELECT delta FROM counter_delta WHERE run_id = r.id AND place = 'vpn'
              AND name = 'operator_socket_drops'), 0) AS receiver
FROM runs r WHERE r.kind = 'video';

-- Where every lost video packet went:
--   sent = received + socket + ring + qdisc + wan + vpn + receiver + unexplained
-- socket: refused by send(); ring: the tun's tail drop; qdisc: the tun's
-- qdisc; wan: the emulated link; vpn: read by OpenVPN but neither dropped on
-- the WAN nor delivered to the operator's tun (its outer UDP socket
-- overflowing, for one: counted in vpn.operator_socket_drops); receiver:
-- tb-recv's socket buffer (the namespace's RcvbufErrors less OpenVPN's
-- socket). unexplained is what no counter accounts for.
CREATE TEMP VIEW IF NOT EXISTS run_attribution AS
SELECT run_id, sent, received, socket, ring, qdisc, wan,
  vpn_read - wan - vpn_delivered AS vpn, receiver,
  sent - received - socket - ring - qdisc - wan - (vpn_read - wan - vpn_delivered) - receiver AS unexplained
FROM run_video_packets;
