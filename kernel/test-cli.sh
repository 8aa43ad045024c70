#!/usr/bin/env bash
# Unit test (no build, no VM): kernel/vm command-line errors, and every
# variant's patches apply to the pristine linux-source-6.12 files; a broken
# patch is reported with its file name and failing hunk.
set -euo pipefail
TB_ROOT=${TB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export TB_ROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: COMMAND's success is the check.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc; stderr was: $(cat "$tmp/err")"; fi
}

# expect STATUS STDERR_SUBSTRING -- COMMAND...
expect() {
	local want=$1 text=$2 rc=0
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$* exited $rc, want $want; stderr: $(head -c 400 "$tmp/err")"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
		fail "$*: stderr lacks '$text': $(head -c 400 "$tmp/err")"
	else
		pass "$* -> $rc"
	fi
}

kb=("bash" "$TB_ROOT/kernel/build.sh")
vm=("bash" "$TB_ROOT/kernel/vm.sh")
expect 0 "" -- "${kb[@]}" --help
expect 0 "" -- "${vm[@]}" --help
expect 2 "unknown variant 'no-such-variant'" -- "${kb[@]}" build no-such-variant
expect 2 "unknown variant 'no-such-variant'" -- "${kb[@]}" check no-such-variant
expect 2 "unknown subcommand 'frobnicate'" -- "${kb[@]}" frobnicate
expect 2 "missing subcommand" -- "${kb[@]}"
expect 2 "unknown kernel variant 'no-such-variant'" -- "${vm[@]}" --kernel no-such-variant -- true
expect 2 "missing COMMAND" -- "${vm[@]}" --kernel stock
expect 2 "--timeout wants a positive number" -- "${vm[@]}" --timeout 0 -- true
expect 2 "unknown option '--frob'" -- "${vm[@]}" --frob -- true
expect 2 "unknown command" -- bash "$TB_ROOT/testbed" no-such-command

# list: one row per variant directory, with its cache key.
expect 0 "" -- "${kb[@]}" list
for v in stock nodrop-v2 nodrop-qdisc backpressure; do
	check "list shows $v" grep -qE "^$v +(yes|no) +[0-9a-f]{12} " "$tmp/out"
done

# Every variant's patches apply to the pristine source.
expect 0 "" -- "${kb[@]}" check all
for v in nodrop-v2 nodrop-qdisc; do
	check "$v applies" grep -qF "kernel: $v: 1 patch(es) apply cleanly" "$tmp/err"
done
check "stock has no patch" grep -qF "kernel: stock: 0 patch(es) apply cleanly" "$tmp/err"
check "backpressure's 2 patches apply" grep -qF "kernel: backpressure: 2 patch(es) apply cleanly" "$tmp/err"

# A patch whose context no longer matches: named, with its failing hunk.
mkdir -p "$tmp/patches/broken"
sed 's/^ \tnf_reset_ct(skb);$/ \tnf_reset_ct_changed(skb);/' \
	"$TB_ROOT"/kernel/patches/nodrop-v2/0001-*.patch >"$tmp/patches/broken/0001-broken.patch"
expect 1 "patch 0001-broken.patch does not apply" -- env TB_KERNEL_PATCHES="$tmp/patches" "${kb[@]}" check broken
check "failing hunk named" grep -qF "Hunk #1 FAILED at" "$tmp/err"
check "patched file named" grep -qF "patching file drivers/net/tun.c" "$tmp/err"

echo "$fails failed"
[ "$fails" -eq 0 ]
