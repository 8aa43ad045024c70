#!/usr/bin/env bash
# tb-profile's command line: exit codes, messages, and the output of each
# subcommand for a shipped profile.
set -euo pipefail
bin=${1:?usage: tb_profile_cli_test.sh TB_PROFILE PROFILES_DIR}
dir=${2:?usage: tb_profile_cli_test.sh TB_PROFILE PROFILES_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/check.sh"
run() { # run NAME ARGS...: stdout, stderr and status into $tmp/NAME.*
	local name=$1 rc=0
	shift
	"$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	echo "$rc" >"$tmp/$name.rc"
}
rc_is() { [ "$(cat "$tmp/$1.rc")" = "$2" ]; }

run help --help
check "--help exits 0" rc_is help 0
check "--help prints usage" grep -q '^usage: tb-profile show' "$tmp/help.out"

run noargs
check "no arguments exits 2" rc_is noargs 2
check "no arguments: usage on stderr" grep -q '^usage:' "$tmp/noargs.err"

run baddir tc "$dir/lte-uplink.profile" --dir sideways --dev x
check "bad --dir exits 2" rc_is baddir 2
check "bad --dir named" grep -qF -- "--dir sideways: use up or down" "$tmp/baddir.err"

run baddev tc "$dir/lte-uplink.profile" --dir up --dev 'a b'
check "bad --dev exits 2" rc_is baddev 2

run nodev tc "$dir/lte-uplink.profile" --dir up
check "tc without --dev exits 2" rc_is nodev 2

run tc tc "$dir/lte-uplink.profile" --dir up --dev wan-op
check "tc exits 0" rc_is tc 0
check "tc prints the netem line" test "$(cat "$tmp/tc.out")" = \
	"qdisc replace dev wan-op root handle 1: netem limit 261 delay 20ms 5ms distribution normal loss random 0.1% rate 5mbit"

run lan tc "$dir/lan.profile" --dir down --dev wan-rb
check "tc for an empty direction exits 0" rc_is lan 0
check "tc for an empty direction prints nothing" test ! -s "$tmp/lan.out"

run json show "$dir/geo-satellite.profile" --json
check "show --json exits 0" rc_is json 0
check "show --json is one JSON object" jq -e '.name == "geo-satellite" and .up.rate_bps == 3000000 and .down.delay_us == 300000' "$tmp/json.out"

run list list "$dir"
check "list exits 0" rc_is list 0
check "list shows every profile" test "$(wc -l <"$tmp/list.out")" -eq "$(find "$dir" -maxdepth 1 -name '*.profile' | wc -l)"

run listjson list "$dir" --json
check "list --json is a JSON array of all profiles" jq -e 'type == "array" and length >= 12 and ([.[].name] | contains(["lan", "5g", "de-us"]))' "$tmp/listjson.out"

# A broken profile: exit 1, the message names file, line and key.
mkdir "$tmp/p"
cp "$dir/lan.profile" "$tmp/p/"
printf 'bottleneck = vpn\nsource = t\n[up]\ndelay = 60\n[down]\n' >"$tmp/p/broken.profile"
run broken show "$tmp/p/broken.profile"
check "invalid profile exits 1" rc_is broken 1
check "invalid profile: file:line: key" grep -qF "tb-profile: $tmp/p/broken.profile:4: delay = 60: missing unit (use us, ms or s)" "$tmp/broken.err"
run listbroken list "$tmp/p"
check "list with a broken profile exits 1" rc_is listbroken 1
check "list still shows the good one" grep -q '^lan ' "$tmp/listbroken.out"
run missing show "$tmp/p/nope.profile"
check "missing file exits 1" rc_is missing 1

tb_summary
