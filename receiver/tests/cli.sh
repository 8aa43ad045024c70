#!/usr/bin/env bash
# tb-recv's command line: --help, usage errors (exit 2, one-line reason),
# runtime errors (exit 1), and a --pcap run on a capture with no RTP.
# usage: cli.sh TB_RECV
set -euo pipefail
tb_recv=${1:?usage: cli.sh TB_RECV}
work=$(mktemp -d /tmp/tb-recv-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0

expect() { # WANT_STATUS WANT_STDERR_SUBSTRING ARGS...
	local want=$1 msg=$2 rc=0
	shift 2
	"$tb_recv" "$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: tb-recv $*: exit $rc, want $want" >&2
		fail=1
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/err"; then
		echo "FAIL: tb-recv $*: stderr lacks '$msg': $(cat "$work/err")" >&2
		fail=1
	else
		echo "ok: tb-recv $* -> $rc"
	fi
}

expect 0 "" --help
grep -q '^usage: tb-recv' "$work/out" || { echo "FAIL: --help prints no usage" >&2; fail=1; }
expect 2 "exactly one of" 
expect 2 "exactly one of" --listen :5000 --pcap x
expect 2 "unrecognized option" --bogus
expect 2 "bad port" --listen 127.0.0.1:99999
expect 2 "bad address" --listen '[::1:5000'
expect 2 "--clock: 'ntp' is not shared or echo" --listen :5000 --clock ntp
expect 2 "need --listen" --pcap x.pcap --clock echo
expect 2 "need --listen" --pcap x.pcap --test-clock-offset-ns 5
expect 2 "--test-clock-offset-ns: 'x'" --listen :5000 --test-clock-offset-ns x
expect 2 "bad address" --listen 'nohost:5000'
expect 2 "--port" --pcap x --port 0
expect 2 "--duration" --listen :5000 --duration -1
expect 2 "--hold-ms" --listen :5000 --hold-ms 0
expect 2 "--stream: '256' is not a stream number (0-255)" --listen :5000 --stream 256
expect 2 "--stream: 'two' is not a stream number (0-255)" --listen :5000 --stream two
expect 2 "need --db" --pcap x --run-id 3
expect 2 "unexpected argument" --pcap x extra
expect 2 "--ssrc" --pcap x --ssrc 0x1ffffffff
expect 2 "go together" --pcap x --dump-png /tmp
expect 2 "--dump-frames" --pcap x --dump-png /tmp --dump-frames 5-3
expect 2 "--dump-frames" --pcap x --dump-png /tmp --dump-frames 1,
expect 2 "--pt" --pcap x --pt 128
expect 2 "--psnr needs decoding" --pcap x --psnr 480p30 --no-decode
expect 1 "--psnr:" --pcap x --psnr "$work/no-such-clip.h264"
expect 1 "cannot read capture" --pcap "$work/missing.pcap" --quiet
expect 1 "has no run with id 42" --pcap "$work/missing.pcap" --db "$work/r.db" --run-id 42

# A capture with no UDP at all: zero frames, a summary, exit 0.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$work/empty.pcap"
expect 0 "" --pcap "$work/empty.pcap" --db "$work/r.db" --no-decode
grep -q '^frames total 0 ' "$work/out" || { echo "FAIL: empty capture summary: $(cat "$work/out")" >&2; fail=1; }
grep -q '^latency_ms unknown' "$work/out" || { echo "FAIL: no 'latency_ms unknown'" >&2; fail=1; }
grep -q '^run_id 1$' "$work/out" || { echo "FAIL: no run created: $(cat "$work/out")" >&2; fail=1; }
exit "$fail"
