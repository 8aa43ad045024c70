#!/usr/bin/env bash
# ./testbed test runs ctest in two parts (scripts/test-parts.sh): every test
# of the build must be in exactly one of them, or it would not run (no
# label) or run twice. The full list comes from ctest -N without a filter.
set -euo pipefail
root=${1:?usage: test_parts_test.sh REPO_ROOT BUILD_DIR}
build=${2:?usage: test_parts_test.sh REPO_ROOT BUILD_DIR}
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
# shellcheck source=scripts/test-parts.sh
source "$root/scripts/test-parts.sh"

names() { ctest --test-dir "$build" -N "$@" | sed -n 's/^ *Test *#[0-9]*: //p' | sort; }
all=$(names)
part1=$(names "${tb_test_part1[@]}")
part2=$(names "${tb_test_part2[@]}")
check "ctest lists the build's tests" test -n "$all"
check "part 1 is not empty" test -n "$part1"
check "part 2 is not empty" test -n "$part2"
expect "tests in both parts" "$(comm -12 <(echo "$part1") <(echo "$part2") | tr '\n' ' ')" ""
expect "tests in neither part" "$(comm -23 <(echo "$all") <(printf '%s\n%s\n' "$part1" "$part2" | sort) | tr '\n' ' ')" ""
expect "this test is in part 1" "$(grep -c '^repo.test_parts$' <<<"$part1")" 1
expect "VM tests in part 1" "$(comm -12 <(names -L vm) <(echo "$part1") | tr '\n' ' ')" ""
check "part 2 has the VM tests" test -n "$(names -L vm)"
tb_summary
