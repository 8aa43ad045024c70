#!/usr/bin/env bash
# ./testbed build: configure (once) and build the C code with CMake.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed build [--sanitize]

Builds all C code into build/ (RelWithDebInfo, -Wall -Wextra -Werror).
  --sanitize   build into build-asan/ with AddressSanitizer + UBSan instead
TXT
}

dir=$TB_BUILD
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--sanitize) dir=$TB_ROOT/build-asan; extra=(-DTB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "build: unknown option '$1'" ;;
	esac
	shift
done

tb_have cmake || tb_die "cmake is missing; run ./testbed setup first"
generator=()
tb_have ninja && generator=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
	cmake -S "$TB_ROOT" -B "$dir" "${generator[@]}" "${extra[@]}" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)"
