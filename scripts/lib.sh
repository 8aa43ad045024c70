# shellcheck shell=bash
# Helpers sourced by the testbed's shell scripts: messages, paths, root checks.
# Sourcing scripts set -euo pipefail themselves.

TB_ROOT=${TB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# Kernel images, unpacked sources, generated clips: large, rebuildable, kept
# outside the repository so a fresh clone reuses them.
TB_CACHE=${TB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tun-nodrop-testbed}
TB_BUILD=${TB_BUILD:-$TB_ROOT/build}
export TB_ROOT TB_CACHE TB_BUILD

tb_log() { printf '%s\n' "testbed: $*" >&2; }
tb_die() { printf '%s\n' "testbed: error: $*" >&2; exit 1; }
# Bad command-line input: message plus the caller's usage, exit 2.
tb_usage_die() {
	printf '%s\n' "testbed: $1" >&2
	if declare -F usage >/dev/null; then usage >&2; fi
	exit 2
}

tb_require_root() {
	[ "$(id -u)" -eq 0 ] || tb_die "$1 needs root (network namespaces, TUN devices, apt-get); run it as root"
}

tb_have() { command -v "$1" >/dev/null 2>&1; }

# Seconds since the epoch with fractions, for timing long steps.
tb_now() { date +%s.%N; }
tb_elapsed() { awk -v a="$1" -v b="$(tb_now)" 'BEGIN { printf "%.1f", b - a }'; }
