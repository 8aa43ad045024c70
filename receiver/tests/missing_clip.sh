#!/usr/bin/env bash
# A receiver test whose clip is missing fails and says how to make it, never
# skips: the tests that read a clip, run with an empty clip cache.
# usage: missing_clip.sh GST_INTEROP_SH TEST_BINARY...
set -euo pipefail
gst_interop=${1:?usage: missing_clip.sh GST_INTEROP_SH TEST_BINARY...}
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/check.sh
source "$here/../../tests/check.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/clips"

for t in "$@"; do
	rc=0
	TB_CACHE=$dir "$t" >"$dir/out" 2>"$dir/err" || rc=$?
	expect "${t##*/}: fails (exit 1)" "$rc" 1
	expect "${t##*/}: names the clip and the fix" \
		"$(grep -c "^FAIL: clip 480p30 cannot be loaded: .*; ./testbed test generates the clips first$" "$dir/err")" 1
	expect "${t##*/}: counts it as a failed check" "$(grep -cE '^[0-9]+ passed, [1-9][0-9]* failed$' "$dir/out")" 1
done
rc=0
bash "$gst_interop" /bin/true "$dir/clips" >"$dir/out" 2>"$dir/err" || rc=$?
expect "gst_interop: fails (exit 1)" "$rc" 1
expect "gst_interop: names the clip and the fix" "$(grep -c "480p30.h264 missing: generate the clips with ./testbed clips" "$dir/err")" 1
tb_summary
