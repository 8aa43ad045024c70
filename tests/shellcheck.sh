#!/usr/bin/env bash
# Every shell script in the repository passes shellcheck (and declares
# set -euo pipefail if it is a program rather than a sourced library).
set -euo pipefail
root=${1:?usage: shellcheck.sh REPO_ROOT}
cd "$root"

mapfile -t scripts < <(
	git ls-files -co --exclude-standard | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh | testbed | .ci/run) printf '%s\n' "$f" ;;
		*) head -n1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && printf '%s\n' "$f" ;;
		esac
	done | sort -u
)
[ "${#scripts[@]}" -gt 0 ] || { echo "no shell scripts found" >&2; exit 1; }

fail=0
for f in "${scripts[@]}"; do
	if head -n1 "$f" | grep -q '^#!' && ! grep -q '^set -euo pipefail' "$f"; then
		echo "$f: a program script must 'set -euo pipefail'" >&2
		fail=1
	fi
done
shellcheck -x -P SCRIPTDIR -P "$root" "${scripts[@]}" || fail=1
echo "${#scripts[@]} scripts checked"
exit "$fail"
