#!/usr/bin/env bash
# Unit test (no kernel build, no VM): the kernel command line's errors; the
# variants, their patch directories and patch hashes (kernel/variants.sh);
# every variant's patches apply to the pristine linux-source-6.12 files, and
# a broken patch is reported with its file name and failing hunk; a cached
# image's info file gains its patch hash.
set -euo pipefail
root=${1:?usage: cli_test.sh REPO_ROOT}
export TB_ROOT=$root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

kb=(bash "$root/kernel/build.sh")
# status CMD...: run CMD, stdout to $tmp/out, stderr to $tmp/err; print its exit status.
status() { exit_status "$tmp/out" "$tmp/err" "$@"; }

expect "kernel --help" "$(status "${kb[@]}" --help)" 0
check "kernel --help: usage" grep -q '^usage: ./testbed kernel build' "$tmp/out"
expect "build of an unknown variant" "$(status "${kb[@]}" build no-such-variant)" 2
check "build: variant named" grep -qF "unknown variant 'no-such-variant'" "$tmp/err"
expect "check of an unknown variant" "$(status "${kb[@]}" check no-such-variant)" 2
check "check: variant named" grep -qF "unknown variant 'no-such-variant'" "$tmp/err"
expect "unknown subcommand" "$(status "${kb[@]}" frobnicate)" 2
check "subcommand named" grep -qF "unknown subcommand 'frobnicate'" "$tmp/err"
expect "no subcommand" "$(status "${kb[@]}")" 2
check "missing subcommand said" grep -qF "missing subcommand" "$tmp/err"

# The variants: the directories under kernel/patches/, in C order.
variants=$(bash -c 'source "$TB_ROOT/kernel/variants.sh" && tb_kernel_variants' | tr '\n' ' ')
expect "tb_kernel_variants" "$variants" "backpressure nodrop-qdisc nodrop-v2 stock "
hash_of() { bash -c 'source "$TB_ROOT/kernel/variants.sh" && tb_kernel_patch_hash "$1"' _ "$1"; }
# Expected hashes: sha256 of the patch files named here in apply order.
p=$root/kernel/patches
expect "patch hash of stock (sha256 of nothing)" "$(hash_of stock)" e3b0c44298fc1c14
expect "patch hash of nodrop-v2" "$(hash_of nodrop-v2)" \
	"$(sha256sum "$p"/nodrop-v2/0001-tun-stop-the-tx-subqueue-instead-of-dropping-on-a-fu.patch | cut -c1-16)"
expect "patch hash of backpressure (two patches, in order)" "$(hash_of backpressure)" \
	"$(cat "$p"/backpressure/0001-tun-backpressure-through-the-qdisc-instead-of-tail-d.patch \
		"$p"/backpressure/0002-tun-make-the-qdisc-backpressure-opt-in-with-IFF_BACK.patch | sha256sum | cut -c1-16)"
expect "patch hash of an unknown variant fails" "$(status hash_of no-such-variant)" 1

# list: one row per variant, with its cache key.
expect "kernel list" "$(status "${kb[@]}" list)" 0
for v in stock nodrop-v2 nodrop-qdisc backpressure; do
	check "list shows $v" grep -qE "^$v +(yes|no) +[0-9a-f]{12} " "$tmp/out"
done

# Every variant's patches apply to the pristine source.
expect "kernel check all" "$(status "${kb[@]}" check all)" 0
for v in nodrop-v2 nodrop-qdisc; do
	check "$v applies" grep -qF "kernel: $v: 1 patch(es) apply cleanly" "$tmp/err"
done
check "stock has no patch" grep -qF "kernel: stock: 0 patch(es) apply cleanly" "$tmp/err"
check "backpressure's 2 patches apply" grep -qF "kernel: backpressure: 2 patch(es) apply cleanly" "$tmp/err"

# A patch whose context no longer matches: named, with its failing hunk.
mkdir -p "$tmp/patches/broken"
sed 's/^ \tnf_reset_ct(skb);$/ \tnf_reset_ct_changed(skb);/' \
	"$p"/nodrop-v2/0001-*.patch >"$tmp/patches/broken/0001-broken.patch"
expect "broken patch fails" "$(status env TB_KERNEL_PATCHES="$tmp/patches" "${kb[@]}" check broken)" 1
check "broken patch named" grep -qF "patch 0001-broken.patch does not apply" "$tmp/err"
check "failing hunk named" grep -qF "Hunk #1 FAILED at" "$tmp/err"
check "patched file named" grep -qF "patching file drivers/net/tun.c" "$tmp/err"

# A cached image whose info file predates patch_hash gets it on the next
# build (which builds nothing). The image dir is where `kernel list` says.
# From-source kernels (the module path has its own test, module_cli_test.sh).
export TB_CACHE=$tmp/cache TB_KERNEL_FROM_SOURCE=1
image=$("${kb[@]}" list | awk '$1 == "nodrop-v2" { print $4 }')
check "list names an image under the cache" test "${image#"$TB_CACHE"/kernel/images/nodrop-v2-}" != "$image"
mkdir -p "$(dirname "$image")"
echo fake >"$image"
printf 'variant=nodrop-v2\nkey=k\n' >"$(dirname "$image")/info"
expect "build of a cached image" "$(status "${kb[@]}" build nodrop-v2)" 0
check "cached image: nothing built" grep -qF "nodrop-v2: cached" "$tmp/err"
expect "info gains patch_hash" "$(sed -n 's/^patch_hash=//p' "$(dirname "$image")/info")" "$(hash_of nodrop-v2)"
expect "info keeps its lines" "$(head -n2 "$(dirname "$image")/info" | tr '\n' ' ')" "variant=nodrop-v2 key=k "
expect "list shows it built" "$("${kb[@]}" list | awk '$1 == "nodrop-v2" { print $2 }')" yes

tb_summary
