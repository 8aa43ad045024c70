#!/usr/bin/env bash
# tb-watch's command line: bad options exit 2 naming the option, a missing
# device exits 1, and --duration ends a run on the loopback device with its
# samples and runs row written (no root needed).
# usage: cli.sh TB_WATCH
set -euo pipefail
watch=${1:?usage: cli.sh TB_WATCH}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

refused() { # DESCRIPTION WANT_RC WANT_MESSAGE ARGS...
	local what=$1 want_rc=$2 msg=$3 rc=0
	shift 3
	"$watch" "$@" >/dev/null 2>"$dir/err" || rc=$?
	expect "$what: exit status" "$rc" "$want_rc"
	expect "$what: message" "$(head -n1 "$dir/err")" "$msg"
}
refused "--hz 0" 2 "tb-watch: --hz: expected 1..100 samples per second, got '0'" --dev lo --db "$dir/w.db" --hz 0
refused "--hz 101" 2 "tb-watch: --hz: expected 1..100 samples per second, got '101'" --dev lo --db "$dir/w.db" --hz 101
refused "--hz ten" 2 "tb-watch: --hz: expected 1..100 samples per second, got 'ten'" --dev lo --db "$dir/w.db" --hz ten
refused "no --dev" 2 "tb-watch: --dev: which device? (e.g. --dev tun0)" --db "$dir/w.db"
refused "no --db" 2 "tb-watch: --db: which results store? (e.g. --db robot.db)" --dev lo
refused "--duration -1" 2 "tb-watch: --duration: expected seconds (0.001..1e7), got '-1'" --dev lo --db "$dir/w.db" --duration -1
refused "a path as device" 2 "tb-watch: --dev: '../x' is not a network device name" --dev ../x --db "$dir/w.db"
refused "extra argument" 2 "tb-watch: unexpected argument 'extra'" --dev lo --db "$dir/w.db" extra
refused "no such device" 1 "tb-watch: --dev tbw-none0: no network device 'tbw-none0' in this network namespace" --dev tbw-none0 --db "$dir/w.db"
refused "no such qdisc device" 1 "tb-watch: --qdisc-dev tbw-none0: no such network device in this network namespace" --dev lo --qdisc-dev tbw-none0 --db "$dir/w.db"
expect "nothing refused made a database" "$(find "$dir" -name '*.db' | wc -l)" 0
refused "--run-id of no run" 1 "tb-watch: --run-id 7: no such run in $dir/w.db" --dev lo --db "$dir/w.db" --run-id 7

# 0.5 s at 10 Hz on lo: 5 ticks, each interval's ring_drops, and the ring
# size once; the run row says what was watched. tb-watch skips the ticks a
# stalled machine missed (tb_watch.c), so a loaded machine (ASan, a kernel
# build beside the tests) may store fewer: 1 to 5, and the summary says how many.
"$watch" --dev lo --db "$dir/lo.db" --hz 10 --duration 0.5 >"$dir/out"
q() { sqlite3 "$dir/lo.db" "$1"; }
stored=$(q "SELECT count(*) FROM samples WHERE name = 'ring_drops'")
expect "ring_drops samples: 1 to 5" "$((stored >= 1 && stored <= 5))" 1
expect "summary: the samples stored" "$(grep -c "^tb-watch: dev=lo run_id=1 samples=$stored " "$dir/out")" 1
expect "ring size once" "$(q "SELECT count(*) || ' ' || value || ' ' || unit FROM samples WHERE name = 'ring'")" \
	"1 $(cat /sys/class/net/lo/tx_queue_len).0 pkts"
expect "runs row" "$(q "SELECT kind, status, ring, json_extract(knobs_json, '$.dev'), json_extract(knobs_json, '$.hz'), duration,
	ended_ns > started_ns FROM runs")" "watch|done|$(cat /sys/class/net/lo/tx_queue_len)|lo|10|0.5|1"
expect "samples within the run" "$(q "SELECT count(*) FROM samples s JOIN runs r ON r.id = s.run_id
	WHERE s.t_ns > r.started_ns AND s.t_ns <= r.ended_ns")" "$(q "SELECT count(*) FROM samples")"
expect "counters" "$(q "SELECT group_concat(place || '.' || name, ' ') FROM (SELECT * FROM counters ORDER BY place, name)")" \
	"qdisc.backlog_pkts qdisc.dropped ring.tx_bytes ring.tx_dropped ring.tx_packets socket.udp_out_datagrams socket.udp_sndbuf_errors"

tb_summary
