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
keeping only inputs that add coverage (the corpus stays a few dozen files).
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
	merged=$out/merged
	rm -rf "$merged"
	mkdir -p "$merged"
	cp "$here"/corpus/*.bin "$merged"/
	(cd "$out" && "$bin" -merge=1 "$merged" "$work" 2>/dev/null)
	for f in "$merged"/*; do
		case "$(basename "$f")" in
		*.bin) ;;
		*) cp "$f" "$here/corpus/fuzz-$(basename "$f").bin" ;;
		esac
	done
	tb_log "corpus now has $(find "$here/corpus" -name '*.bin' | wc -l) files"
fi
