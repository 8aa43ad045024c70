#!/usr/bin/env bash
# tb-netcounters' command line: usage errors exit 2 naming the option, a
# namespace that does not exist exits 1 naming it, with nothing on stdout.
# Needs no root (a missing namespace fails before setns).
set -euo pipefail
bin=${1:?usage: cli_test.sh TB_NETCOUNTERS}
[ -x "$bin" ] || { echo "cli_test: $bin is not an executable" >&2; exit 1; }
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../tests/check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nc() { exit_status "$tmp/out" "$tmp/err" "$bin" "$@"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }
missing=tbnc-none-$$
ok=(--robot "$missing" --wan "$missing" --operator "$missing" --robot-tun tbtun0 --robot-veth veth-wan
	--operator-tun tbtun1 --wan-up veth-op --wan-down veth-rb)

expect "--help exits 0" "$(nc --help)" 0
check "--help prints the usage" grep -q '^usage: tb-netcounters --robot NS' "$tmp/out"
expect "no arguments exit 2" "$(nc)" 2
check "no arguments: the first missing option named" err_has "--robot is missing"
expect "unknown option exits 2" "$(nc "${ok[@]}" --bogus)" 2
check "unknown option named" err_has "bogus"
expect "a stray argument exits 2" "$(nc "${ok[@]}" extra)" 2
check "a stray argument named" err_has "unexpected argument 'extra'"
for opt in wan operator robot-tun robot-veth operator-tun wan-up wan-down; do
	args=()
	for ((i = 0; i < ${#ok[@]}; i += 2)); do
		[ "${ok[i]}" = "--$opt" ] || args+=("${ok[i]}" "${ok[i + 1]}")
	done
	expect "without --$opt exit 2" "$(nc "${args[@]}")" 2
	check "without --$opt: named" err_has "--$opt is missing"
done
for port in 0 65536 12x ""; do
	expect "--vpn-port '$port' exits 2" "$(nc "${ok[@]}" --vpn-port "$port")" 2
	check "--vpn-port '$port' named" err_has "--vpn-port: expected a UDP port 1..65535, got '$port'"
done
expect "a 16-character device name exits 2" "$(nc "${ok[@]}" --robot-tun abcdefghijklmnop)" 2
check "the device option named" err_has "--robot-tun: 'abcdefghijklmnop' is not a network device name"
expect "a namespace with a slash exits 2" "$(nc "${ok[@]}" --robot ../x)" 2
check "the namespace option named" err_has "--robot: '../x' is not a network namespace name"
expect "an empty namespace exits 2" "$(nc "${ok[@]}" --operator "")" 2

expect "a missing namespace exits 1" "$(nc "${ok[@]}")" 1
check "a missing namespace: named" err_has "tb-netcounters: network namespace '$missing' does not exist (no /run/netns/$missing)"
check "a missing namespace: nothing on stdout" test ! -s "$tmp/out"

tb_summary
