#!/usr/bin/env bash
# ./testbed clips list: the names a clip can be given by, one per line: the
# generated test clips (clips.conf), then those imported into the clip
# directory (./testbed clips import), each with its index there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"
case "${1:-}" in
'') ;;
-h | --help) echo "usage: ./testbed clips list   (generated clips, then imported ones, one name a line)"; exit 0 ;;
*) tb_usage_die "list: no options (got '$1')" ;;
esac
generated=$(awk '!/^#/ && NF { print $1 }' "$here/clips.conf")
printf '%s\n' "$generated"
if [ -d "$TB_CACHE/clips" ]; then
	find "$TB_CACHE/clips" -maxdepth 1 -name '*.idx' ! -name '.*' -printf '%f\n' | sed 's/\.idx$//' |
		awk 'NR == FNR { generated[$1] = 1; next } !($1 in generated)' <(printf '%s\n' "$generated") - | LC_ALL=C sort
fi
