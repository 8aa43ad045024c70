#!/usr/bin/env bash
# tb-send's command line: --help exits 0; each bad input exits 2 with its
# one-line message; a missing clip exits 1 naming the fix. Sends nothing.
set -euo pipefail
tb_send=${1:?usage: cli.sh TB_SEND}
fail=0

# expect STATUS MESSAGE-FRAGMENT ARGS...
expect() {
	local want=$1 msg=$2 out rc=0
	shift 2
	out=$(TB_CACHE=/nonexistent-tb-cache "$tb_send" "$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -qF -- "$msg" <<<"$out"; then
		echo "FAIL: tb-send $*: exit $rc (want $want), output: $out" >&2
		fail=1
	else
		echo "ok: tb-send $* -> $rc"
	fi
}

expect 0 "usage: tb-send" --help
expect 2 "--clip is required" --dest 127.0.0.1:5000
expect 2 "--dest is required" --clip 480p30
expect 2 "unknown option '--bogus'" --clip 480p30 --dest 127.0.0.1:5000 --bogus
expect 2 "unexpected argument 'extra'" --clip 480p30 --dest 127.0.0.1:5000 extra
expect 2 "expected HOST:PORT" --clip 480p30 --dest 127.0.0.1
expect 2 "needs brackets" --clip 480p30 --dest ::1:5000
expect 2 "expected [IPV6]:PORT" --clip 480p30 --dest "[::1]5000"
expect 2 "port must be 1..65535" --clip 480p30 --dest "[::1]:0"
expect 2 "port must be 1..65535" --clip 480p30 --dest 127.0.0.1:70000
expect 2 "--pace: expected a number in 0..1, got '2'" --clip 480p30 --dest 127.0.0.1:5000 --pace 2
expect 2 "--duration: expected a number" --clip 480p30 --dest 127.0.0.1:5000 --duration abc
expect 2 "--frames: expected an integer" --clip 480p30 --dest 127.0.0.1:5000 --frames 0
expect 2 "--max-packet: expected an integer in 64..65507" --clip 480p30 --dest 127.0.0.1:5000 --max-packet 10
expect 2 "--max-packet and --mtu exclude each other" --clip 480p30 --dest 127.0.0.1:5000 --max-packet 1000 --mtu 1500
expect 2 "--run-id needs --db" --clip 480p30 --dest 127.0.0.1:5000 --run-id 3
expect 2 "--pace does not apply" --clip 480p30 --dest 127.0.0.1:5000 --flood --pace 0.5
expect 2 "needs a value" --clip 480p30 --dest
expect 2 "--clip and --gst exclude each other" --clip 480p30 --gst videotestsrc --dest 127.0.0.1:5000
expect 2 "--record needs --gst" --clip 480p30 --record x.h264 --dest 127.0.0.1:5000
expect 2 "must end in .h264" --gst videotestsrc --record x.mp4 --dest 127.0.0.1:5000
expect 2 "--flood is for clips" --gst videotestsrc --flood --dest 127.0.0.1:5000
expect 2 "--speed is for clips" --gst videotestsrc --speed 2 --dest 127.0.0.1:5000
expect 2 "--gst: no element" --gst 'nosuchelement0 ! x264enc' --dest 127.0.0.1:5000
# --stream and --start-at (a robot's cameras): the camera's number, and a
# start time near now on CLOCK_REALTIME (at most 1 s past, 60 s ahead).
now=$(date +%s%N)
expect 2 "--stream: expected an integer in 0..255, got '256'" --clip 480p30 --dest 127.0.0.1:5000 --stream 256
expect 2 "--stream: expected an integer in 0..255, got '-1'" --clip 480p30 --dest 127.0.0.1:5000 --stream -1
expect 2 "--stream: expected an integer in 0..255, got 'two'" --clip 480p30 --dest 127.0.0.1:5000 --stream two
expect 2 "--start-at: expected an integer" --clip 480p30 --dest 127.0.0.1:5000 --start-at soon
expect 2 "--start-at: expected an integer" --clip 480p30 --dest 127.0.0.1:5000 --start-at 0
expect 2 "--start-at $((now - 5000000000)) is " --clip 480p30 --dest 127.0.0.1:5000 --start-at $((now - 5000000000))
expect 2 "s in the past (at most 1 s is caught up)" --clip 480p30 --dest 127.0.0.1:5000 --start-at $((now - 5000000000))
expect 2 "--start-at $((now + 120000000000)) is 1" --clip 480p30 --dest 127.0.0.1:5000 --start-at $((now + 120000000000))
expect 2 "s ahead (at most 60 s)" --clip 480p30 --dest 127.0.0.1:5000 --start-at $((now + 120000000000))
expect 2 "--start-at is for clips" --gst videotestsrc --dest 127.0.0.1:5000 --start-at "$now"
# within the bounds: parsed, then the missing clip stops it
expect 1 "nonexistent-tb-cache/clips/480p30.h264" --clip 480p30 --dest 127.0.0.1:5000 --stream 7 --start-at $((now + 30000000000))
expect 1 "nonexistent-tb-cache/clips/480p30.h264" --clip 480p30 --dest 127.0.0.1:5000
expect 1 "cannot open clip /no/such.h264" --clip /no/such.h264 --dest 127.0.0.1:5000

# The results store is checked before anything is sent. The clip loads
# first, so these need the generated 480p30 (datasets/generate.sh).
db_dir=$(mktemp -d)
trap 'rm -rf "$db_dir"' EXIT
clip_dir=${TB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tun-nodrop-testbed}/clips
if [ -f "$clip_dir/480p30.h264" ]; then
	expect_db() {
		local msg=$1 out rc=0
		shift
		out=$("$tb_send" --clip "$clip_dir/480p30.h264" --dest 127.0.0.1:9 "$@" 2>&1) || rc=$?
		if [ "$rc" -ne 1 ] || ! grep -qF -- "$msg" <<<"$out" || grep -q '^tb-send: clip=' <<<"$out"; then
			echo "FAIL: tb-send $*: exit $rc (want 1, nothing sent), output: $out" >&2
			fail=1
		else
			echo "ok: tb-send $* -> $rc"
		fi
	}
	expect_db "--run-id 5: no such run" --db "$db_dir/r.db" --run-id 5
	expect_db "$db_dir/no/such/dir/r.db" --db "$db_dir/no/such/dir/r.db"
else
	echo "FAIL: no clip 480p30 in $clip_dir (run datasets/generate.sh)" >&2
	fail=1
fi

[ "$fail" -eq 0 ] || exit 1
echo "cli: all passed"
