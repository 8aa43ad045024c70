#!/usr/bin/env bash
# tb-bootstrap from the outside: two pairs give the exact interval (see
# test_paired_bootstrap.c), bad input and options are refused by name.
set -euo pipefail
tool=${1:?usage: bootstrap_cli_test.sh TB_BOOTSTRAP}
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/check.sh"
expect "two pairs: change, exact interval, counts" "$(printf '10 9\n20 22\n' | "$tool" --resamples 4000)" "3.33 -10.00 10.00 2 4000"
rc=0
printf '10 9\n20\n' | "$tool" 2>"${TMPDIR:-/tmp}/bs.err.$$" >/dev/null || rc=$?
expect "a line without two numbers: exit 1" "$rc" 1
expect "and says which line" "$(grep -c 'stdin:2: expected two numbers' "${TMPDIR:-/tmp}/bs.err.$$")" 1
rm -f "${TMPDIR:-/tmp}/bs.err.$$"
rc=0
"$tool" </dev/null >/dev/null 2>&1 || rc=$?
expect "no pairs: exit 1" "$rc" 1
rc=0
"$tool" --level 2 </dev/null >/dev/null 2>&1 || rc=$?
expect "a bad --level: exit 2" "$rc" 2
rc=0
"$tool" --bogus 1 </dev/null >/dev/null 2>&1 || rc=$?
expect "an unknown option: exit 2" "$rc" 2
tb_summary
