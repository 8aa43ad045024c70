#!/usr/bin/env bash
# ./testbed test: set up as needed, build, and run every test.
# The unit tests run twice: under ASan + UBSan, then with the rest of the
# suite in the normal build (two ctest summaries: the tests that need no
# guest kernel, then the VM tests and the host tests labelled kernels or quiet).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/test-parts.sh
source "$TB_ROOT/scripts/test-parts.sh"

usage() {
	cat <<'TXT'
usage: ./testbed test [-R REGEX] [-L LABEL]

Runs setup (installs what is missing, builds), builds the sanitizer
configuration, runs the unit tests under ASan + UBSan and then the whole
ctest suite. -R and -L are passed to ctest to select tests.
TXT
}

ctest_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	-R | -L)
		[ $# -ge 2 ] || tb_usage_die "test: $1 needs an argument"
		ctest_args+=("$1" "$2")
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "test: unknown option '$1'" ;;
	esac
	shift
done

bash "$TB_ROOT/scripts/setup.sh"

# The VM tests boot the guest kernels: build the stale ones (cached: quick).
# The module path (the default: Debian's kernel, each variant's tun.ko) and,
# for the from-source tests, every variant from source. On a fresh machine the first
# source build takes 11-14 min: it runs in the background while the ASan
# build and the unit, repo and host tests (which need no guest kernel) run,
# and the VM tests wait for it, as do the host tests that judge CPU use. With -R or -L everything runs in order.
kernels() {
	TB_KERNEL_FROM_SOURCE=0 bash "$TB_ROOT/kernel/build.sh" build all
	TB_KERNEL_FROM_SOURCE=1 bash "$TB_ROOT/kernel/build.sh" build all
}
kernel_log=$TB_CACHE/test-kernels.log
mkdir -p "$TB_CACHE"
kernel_pid=''
if [ ${#ctest_args[@]} -eq 0 ]; then
	tb_log "building the guest kernels in the background (log: $kernel_log)"
	# its own process group, so an interrupted test stops make as well;
	# niced, so the tests running beside it keep their timing
	setsid nice -n 10 bash -c "$(declare -f kernels); kernels" >"$kernel_log" 2>&1 &
	kernel_pid=$!
	trap '[ -z "$kernel_pid" ] || kill -- "-$kernel_pid" 2>/dev/null || true' EXIT
else
	kernels
fi
# kernels_ready: wait for the background build; its status lines, or its
# log's end when it failed.
kernels_ready() {
	[ -n "$kernel_pid" ] || return 0
	local rc=0
	wait "$kernel_pid" || rc=$?
	kernel_pid=''
	grep -E '^kernel: .*(built|ready|up to date|cached)' "$kernel_log" || true
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$kernel_log" >&2
		tb_die "building the guest kernels failed (exit $rc; log: $kernel_log)"
	fi
}

bash "$TB_ROOT/scripts/build.sh" --sanitize

failed=0
tb_log "unit tests under ASan + UBSan"
ctest --test-dir "$TB_ROOT/build-asan" -L unit --output-on-failure "${ctest_args[@]}" || failed=1

if [ ${#ctest_args[@]} -eq 0 ]; then
	# every test is in exactly one part (repo.test_parts checks the labels)
	tb_log "whole suite, part 1 of 2: unit, repo and host tests (no guest kernel)"
	ctest --test-dir "$TB_BUILD" "${tb_test_part1[@]}" --output-on-failure || failed=1
	kernels_ready
	tb_log "whole suite, part 2 of 2: VM tests, and host tests that need the kernels or a quiet host"
	ctest --test-dir "$TB_BUILD" "${tb_test_part2[@]}" --output-on-failure || failed=1
else
	tb_log "whole suite"
	ctest --test-dir "$TB_BUILD" --output-on-failure "${ctest_args[@]}" || failed=1
fi
[ "$failed" -eq 0 ] || tb_die "some tests failed (see the ctest summaries above)"
