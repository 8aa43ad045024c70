#!/usr/bin/env bash
# Generate the test clips (H.264 Annex-B + frame index) into $TB_CACHE/clips,
# deterministically, and check them against datasets/clips.sha256. Clips
# already present with the recorded checksums are kept: a second run takes
# well under a second.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"
# ./testbed clips import FILE ...: a team's own recording (import.sh);
# ./testbed clips list: every clip name (list.sh).
case "${1:-}" in
import | list)
	sub=$1
	shift
	exec bash "$here/$sub.sh" "$@"
	;;
esac

usage() {
	cat <<'TXT'
usage: datasets/generate.sh [--out DIR] [--only NAME] [--force] [--record] [--indexer PATH]
       datasets/generate.sh import FILE [--name NAME] ...   (your own recording: import --help)
       datasets/generate.sh list                            (every clip name: generated, imported)

Generates the clips listed in datasets/clips.conf with GStreamer (x264enc,
single-threaded, fixed options: the same bytes on every machine with the same
x264) and writes NAME.h264 + NAME.idx into DIR (default $TB_CACHE/clips).
  --only NAME     just this clip
  --force         regenerate even if the files match their checksums
  --record        write the checksums of the generated files into
                  datasets/clips.sha256 instead of checking against it
  --indexer PATH  tb-clip-index binary (default $TB_BUILD/datasets/tb-clip-index)
TXT
}

out=$TB_CACHE/clips
only=
force=0
record=0
indexer=$TB_BUILD/datasets/tb-clip-index
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || tb_usage_die "generate: --out needs a directory"; out=$2; shift ;;
	--only) [ $# -ge 2 ] || tb_usage_die "generate: --only needs a clip name"; only=$2; shift ;;
	--indexer) [ $# -ge 2 ] || tb_usage_die "generate: --indexer needs a path"; indexer=$2; shift ;;
	--force) force=1 ;;
	--record) record=1 ;;
	-h | --help) usage; exit 0 ;;
	*) tb_usage_die "generate: unknown option '$1'" ;;
	esac
	shift
done

sums=$here/clips.sha256
mkdir -p "$out"

# The recorded checksum of a file name ('' if none).
recorded() { if [ -f "$sums" ]; then awk -v f="$1" '$2 == f { print $1 }' "$sums"; fi; }
actual() { sha256sum "$out/$1" | awk '{ print $1 }'; }
matches() {
	local f want
	for f in "$@"; do
		want=$(recorded "$f")
		[ -n "$want" ] && [ -f "$out/$f" ] && [ "$(actual "$f")" = "$want" ] || return 1
	done
}

# The picture: moving SMPTE bars over the whole frame, an animated zone plate
# (fine detail that changes every frame) top right, snow (noise, costly to
# code) bottom left, a sweeping ball in the middle.
encode() {
	local w=$1 h=$2 fps=$3 kbps=$4 frames=$5 keyint=$6 dest=$7
	local hw=$((w / 2)) hh=$((h / 2)) qw=$((w / 4)) qh=$((h / 4))
	local raw="video/x-raw,format=I420,framerate=$fps/1"
	gst-launch-1.0 -q compositor name=mix background=black \
		sink_0::xpos=0 sink_0::ypos=0 \
		sink_1::xpos=$((w - hw)) sink_1::ypos=0 \
		sink_2::xpos=0 sink_2::ypos=$((h - qh)) \
		sink_3::xpos=$((w / 2 - qw / 2)) sink_3::ypos=$((h / 2)) \
		! "$raw,width=$w,height=$h" \
		! x264enc threads=1 sliced-threads=false tune=zerolatency speed-preset=veryfast \
		bitrate="$kbps" key-int-max="$keyint" bframes=0 byte-stream=true aud=true \
		! video/x-h264,stream-format=byte-stream,alignment=au ! filesink location="$dest" \
		videotestsrc num-buffers="$frames" pattern=smpte horizontal-speed=3 ! "$raw,width=$w,height=$h" ! mix.sink_0 \
		videotestsrc num-buffers="$frames" pattern=zone-plate kx2=20 ky2=20 kt=1 ! "$raw,width=$hw,height=$hh" ! mix.sink_1 \
		videotestsrc num-buffers="$frames" pattern=snow ! "$raw,width=$qw,height=$qh" ! mix.sink_2 \
		videotestsrc num-buffers="$frames" pattern=ball motion=sweep background-color=0xff204060 \
		! "$raw,width=$qw,height=$qh" ! mix.sink_3
}

new_sums=()
found=0
while read -r name w h fps kbps secs keyint; do
	case "$name" in '' | '#'*) continue ;; esac
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	found=1
	if [ "$force" -eq 0 ] && [ "$record" -eq 0 ] && matches "$name.h264" "$name.idx"; then
		tb_log "clip $name: present, checksums match"
		continue
	fi
	[ -x "$indexer" ] || tb_die "no $indexer: build first (./testbed build)"
	start=$(tb_now)
	tmp="$out/.$name.tmp.h264"
	rm -f "$tmp"
	encode "$w" "$h" "$fps" "$kbps" $((fps * secs)) "$keyint" "$tmp" ||
		{ rm -f "$tmp"; tb_die "clip $name: GStreamer pipeline failed"; }
	"$indexer" --name "$name" --width "$w" --height "$h" --fps "$fps/1" "$tmp" "$out/.$name.tmp.idx"
	mv -f "$tmp" "$out/$name.h264"
	mv -f "$out/.$name.tmp.idx" "$out/$name.idx"
	bytes=$(stat -c %s "$out/$name.h264")
	tb_log "clip $name: generated in $(tb_elapsed "$start") s, $bytes bytes," \
		"$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f", b * 8 / s / 1e6 }') Mbit/s"
	if [ "$record" -eq 1 ]; then
		new_sums+=("$(actual "$name.h264")  $name.h264" "$(actual "$name.idx")  $name.idx")
	elif ! matches "$name.h264" "$name.idx"; then
		tb_die "clip $name: checksum differs from datasets/clips.sha256 (another x264/GStreamer" \
			"version?); results would not compare with other machines. Use --record to accept."
	fi
done <"$here/clips.conf"
[ "$found" -eq 1 ] || tb_usage_die "generate: no clip named '$only' in clips.conf"

if [ "$record" -eq 1 ]; then
	{
		# Keep the entries of clips not regenerated in this run.
		if [ -f "$sums" ]; then
			for entry in "${new_sums[@]}"; do printf '%s\n' "${entry##* }"; done >"$out/.recorded"
			grep -vwFf "$out/.recorded" "$sums" || true
			rm -f "$out/.recorded"
		fi
		printf '%s\n' "${new_sums[@]}"
	} | sort -k2 >"$sums.new"
	mv -f "$sums.new" "$sums"
	tb_log "recorded checksums in $sums"
fi
