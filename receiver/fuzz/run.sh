#!/usr/bin/env bash
# Build and run the libFuzzer target for tb-recv's parser + reassembler +
# depacketizer (clang, -fsanitize=fuzzer,address,undefined).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: receiver/fuzz/run.sh [--seconds N] [--update]

Builds the fuzz target into $TB_BUILD/fuzz and fuzzes for N seconds (default
60) starting from receiver/fuzz/corpus, on one core. Crashes are written to
$TB_BUILD/fuzz/ (crash-*). --update merges what was found into the corpus,
keeping at most 30 new coverage-adding inputs (the corpus stays small).
TXT
}

seconds=60
update=0
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) [ $# -ge 2 ] || tb_usage_die "fuzz: --seconds needs a number"; seconds=$2; shift ;;
	--update) update=1 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "fuzz: unknown option '$1'" ;;
	esac
	shift
done
[[ $seconds =~ ^[0-9]+$ ]] || tb_usage_die "fuzz: --seconds must be a whole number"
tb_have clang || tb_die "clang is missing (./testbed setup installs it)"

out=$TB_BUILD/fuzz
mkdir -p "$out"
bin=$out/fuzz_reasm
clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-I"$here" -I"$here/.." -I"$TB_ROOT/lib/include" \
	"$here/fuzz_reasm.c" "$here/fuzz_input.c" "$here/../reasm.c" "$here/../h264_depay.c" \
	"$TB_ROOT/lib/rtp_parse.c" -o "$bin"

work=$out/work
rm -rf "$work"
mkdir -p "$work"
cp "$here"/corpus/*.bin "$work"/
tb_log "fuzzing for ${seconds}s"
(cd "$out" && "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work")

if [ "$update" -eq 1 ]; then
	# Merge (keeps the inputs that add coverage), then keep at most 30 new
	# ones, the largest, next to the hand-made seeds: the corpus is a
	# regression suite replayed by a unit test, it should stay small.
	merged=$out/merged
	rm -rf "$merged"
	mkdir -p "$merged"
	(cd "$out" && "$bin" -merge=1 "$merged" "$here/corpus" "$work" 2>/dev/null)
	# Merged files are named by the SHA-1 of their content: skip what the
	# corpus already has.
	have=$(sha1sum "$here"/corpus/*.bin | awk '{ print $1 }')
	find "$merged" -type f -printf '%s %f\n' | sort -rn | awk '{ print $2 }' |
		grep -vxF -f <(printf '%s\n' "$have") | head -n 30 |
		while read -r f; do cp "$merged/$f" "$here/corpus/fuzz-$f.bin"; done
	tb_log "corpus now has $(find "$here/corpus" -name '*.bin' | wc -l) files"
fi
