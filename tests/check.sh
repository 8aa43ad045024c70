# shellcheck shell=bash
# Sourced by the project's shell tests: assertions that count, a command's
# exit status with its output kept for them, and the closing
# "N passed, M failed" line ctest's output ends with.

tb_passed=0 tb_failed=0

# expect DESCRIPTION ACTUAL WANTED: the two strings are equal.
expect() {
	if [ "$2" = "$3" ]; then
		tb_passed=$((tb_passed + 1))
	else
		tb_failed=$((tb_failed + 1))
		printf 'FAIL: %s: got [%s], want [%s]\n' "$1" "$2" "$3" >&2
	fi
}

# check DESCRIPTION COMMAND...: the command succeeds (its stdout is dropped).
check() {
	local what=$1
	shift
	if "$@" >/dev/null; then
		tb_passed=$((tb_passed + 1))
	else
		tb_failed=$((tb_failed + 1))
		printf 'FAIL: %s\n' "$what" >&2
	fi
}

# exit_status OUT ERR COMMAND...: run the command with its stdout in the file
# OUT and its stderr in ERR (the same file for both when ERR is OUT); print
# its exit status.
exit_status() {
	local out=$1 err=$2 rc=0
	shift 2
	if [ "$err" = "$out" ]; then
		"$@" >"$out" 2>&1 || rc=$?
	else
		"$@" >"$out" 2>"$err" || rc=$?
	fi
	echo "$rc"
}

# tb_summary: the closing line; fails when any assertion failed.
tb_summary() {
	echo "$tb_passed passed, $tb_failed failed"
	[ "$tb_failed" -eq 0 ]
}
