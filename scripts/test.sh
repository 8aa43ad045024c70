#!/usr/bin/env bash
# ./testbed test: set up as needed, build, and run every test.
# The unit tests run twice: under ASan + UBSan, then with the rest of the
# suite in the normal build (whose ctest summary ends the output).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
bash "$TB_ROOT/scripts/build.sh" --sanitize

# The VM tests boot the guest kernels: build the stale ones (cached: quick).
# From source (the default) every variant; the module path (Debian's kernel,
# each variant's tun.ko) for its own tests.
bash "$TB_ROOT/kernel/build.sh" build all
TB_KERNEL_FROM_SOURCE=0 bash "$TB_ROOT/kernel/build.sh" build all

tb_log "unit tests under ASan + UBSan"
ctest --test-dir "$TB_ROOT/build-asan" -L unit --output-on-failure "${ctest_args[@]}"

tb_log "whole suite"
ctest --test-dir "$TB_BUILD" --output-on-failure "${ctest_args[@]}"
