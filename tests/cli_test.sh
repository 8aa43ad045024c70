#!/usr/bin/env bash
# The entry point's contract: help lists the commands, bad input exits 2
# with usage on stderr.
set -euo pipefail
root=${1:?usage: cli_test.sh REPO_ROOT}
tb=$root/testbed
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"

"$tb" help >"$out/help" 2>"$out/help.err"
check "help exits 0" true
check "help lists setup" grep -qE '^  setup ' "$out/help"
check "help lists test" grep -qE '^  test ' "$out/help"
check "help lists help" grep -qE '^  help ' "$out/help"
check "help prints nothing on stderr" test ! -s "$out/help.err"

# Every listed command answers --help with exit 0.
while read -r name _; do
	check "$name --help exits 0" "$tb" "$name" --help >/dev/null
done < <(sed -n 's/^  \([a-z-][a-z-]*\) .*/\1/p' "$out/help" | grep -v '^help$')

set +e
"$tb" no-such-command >"$out/bad" 2>"$out/bad.err"; rc=$?
set -e
check "unknown command exits 2" test "$rc" -eq 2
check "unknown command: usage on stderr" grep -q '^usage:' "$out/bad.err"
check "unknown command: nothing on stdout" test ! -s "$out/bad"
check "unknown command named" grep -q "no-such-command" "$out/bad.err"

set +e
"$tb" >/dev/null 2>"$out/none.err"; rc=$?
"$tb" setup --bogus-option >/dev/null 2>"$out/opt.err"; rc2=$?
"$tb" test --bogus-option >/dev/null 2>"$out/opt2.err"; rc3=$?
set -e
check "no command exits 2" test "$rc" -eq 2
check "bad setup option exits 2" test "$rc2" -eq 2
check "bad setup option named" grep -q -- "--bogus-option" "$out/opt.err"
check "bad setup option: usage on stderr" grep -q '^usage:' "$out/opt.err"
check "bad test option exits 2" test "$rc3" -eq 2

tb_summary
