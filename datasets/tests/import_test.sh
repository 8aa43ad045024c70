#!/usr/bin/env bash
# ./testbed clips import: an MP4 and an MKV that GStreamer makes here from
# one x264 encoder become clips whose access units are the encoder's, byte
# for byte; the statistics printed are the stream's (worked out here from the
# AUDs, not with the indexer); tb-send replays the clip by name; bad input is
# refused with the reason.
# usage: import_test.sh REPO_ROOT TB_SEND NAL_CMP TB_UDP_SINK
set -euo pipefail
root=${1:?usage: import_test.sh REPO_ROOT TB_SEND NAL_CMP TB_UDP_SINK}
tb_send=${2:?} nal_cmp=${3:?} sink=${4:?}
[ "$(id -u)" -eq 0 ] || { echo "import_test: needs root (a network namespace for tb-send)" >&2; exit 1; }
dir=$(mktemp -d /tmp/tb-import.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export TB_CACHE=$dir/cache TB_BUILD=${TB_BUILD:?set TB_BUILD to the build directory}
# shellcheck source=tests/check.sh
source "$root/tests/check.sh"
clips=$TB_CACHE/clips

# One encoder, 45 frames of 25 fps, an IDR every 20: its access units, as
# h264parse writes a byte stream (4-byte start codes), go to ref.h264, and
# into an MP4 and an MKV. A second run of the same (single-threaded,
# deterministic) encoder writes its own byte stream (raw.h264) for nal-cmp.
n=45
enc="videotestsrc num-buffers=$n pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=25/1
	! x264enc threads=1 sliced-threads=false tune=zerolatency speed-preset=ultrafast key-int-max=20 bframes=0"
au='video/x-h264,stream-format=byte-stream,alignment=au'
# shellcheck disable=SC2086 # $enc is a pipeline description, split on purpose
gst-launch-1.0 -q $enc ! tee name=t \
	t. ! queue ! h264parse ! mp4mux ! filesink location="$dir/team.mp4" \
	t. ! queue ! h264parse ! matroskamux ! filesink location="$dir/team.mkv" \
	t. ! queue ! h264parse ! "$au" ! filesink location="$dir/ref.h264"
# shellcheck disable=SC2086
gst-launch-1.0 -q $enc byte-stream=true ! "$au" ! filesink location="$dir/raw.h264"
for f in team.mp4 team.mkv ref.h264 raw.h264; do
	[ -s "$dir/$f" ] || { echo "import_test: GStreamer made no $f" >&2; exit 1; }
done

# The reference's access units, independently: each begins with an AUD
# (00 00 00 01 09); offsets and sizes from a byte dump.
od -An -v -tx1 "$dir/ref.h264" | tr -s ' ' '\n' | sed '/^$/d' |
	awk -v total="$(stat -c %s "$dir/ref.h264")" '
		{ b[NR - 1] = $1 }
		END {
			for (i = 0; i + 4 < NR; i++)
				if (b[i] == "00" && b[i+1] == "00" && b[i+2] == "00" && b[i+3] == "01" && b[i+4] == "09") start[n++] = i
			for (k = 0; k < n; k++) print start[k], (k + 1 < n ? start[k + 1] : total) - start[k]
		}' >"$dir/ref.aus"
ref_frames=$(wc -l <"$dir/ref.aus")
ref_max=$(sort -k2 -n "$dir/ref.aus" | tail -n1 | cut -d' ' -f2)
ref_bytes=$(stat -c %s "$dir/ref.h264")
expect "the reference has one AUD per frame" "$ref_frames" "$n"

for kind in mp4 mkv; do
	out=$dir/import-$kind.txt
	"$root/testbed" clips import "$dir/team.$kind" --name "team-$kind" >"$out" 2>&1 || { cat "$out"; exit 1; }
	expect "$kind: clip bytes = the encoder's access units" "$(cmp "$clips/team-$kind.h264" "$dir/ref.h264" && echo same)" same
	expect "$kind: index frames = $n" "$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' "$clips/team-$kind.idx")" "$n"
	expect "$kind: index offsets and sizes = the AUDs'" "$(awk '!/^#/ { print $4, $5 }' "$clips/team-$kind.idx")" "$(cat "$dir/ref.aus")"
	expect "$kind: fps from the container" "$(sed -n 's/.* fps=\([0-9/]*\) .*/\1/p' "$clips/team-$kind.idx")" 25/1
	expect "$kind: NAL units = the encoder's own byte stream (AUDs aside)" "$("$nal_cmp" "team-$kind" "$n" "$dir/raw.h264" >/dev/null && echo same)" same
	# 45 frames at 25 fps = 1.8 s; bits / 1.8 s
	expect "$kind: size, rate, frames, duration, bitrate" "$(grep -c "320x240, 25/1 fps (25.000), $n frames, 1.800 s, $ref_bytes bytes = $(awk -v b="$ref_bytes" 'BEGIN { printf "%.3f", b * 8 / 1.8 / 1e6 }') Mbit/s" "$out")" 1
	# IDRs at 0, 20, 40: three I-frames, two gaps of 20 frames = 0.8 s
	expect "$kind: keyframes" "$(grep -c 'keyframes: 3 I-frames (3 IDR), every 20.0 frames (min 20, max 20) = 0.80 s' "$out")" 1
	expect "$kind: mean and max frame size" "$(grep -c "frame size: mean $(awk -v b="$ref_bytes" -v n="$n" 'BEGIN { printf "%.0f", b / n }') B, max $ref_max B;" "$out")" 1
done
# I-frames: the AUs at 0, 20 and 40
i_mean=$(awk 'NR == 1 || NR == 21 || NR == 41 { s += $2 } END { printf "%.0f", s / 3 }' "$dir/ref.aus")
expect "I-frame mean size" "$(grep -c "I-frames mean $i_mean B" "$dir/import-mp4.txt")" 1

expect "clips list: generated, then imported" "$("$root/testbed" clips list | tr '\n' ' ')" "480p30 720p30 1080p30 team-mkv team-mp4 "

# tb-send replays it by name (to a sink in a namespace of its own).
# shellcheck disable=SC2016 # the script is for the inner shell, its arguments $1..$3
unshare -n bash -c '
	ip link set lo up
	timeout 60 "$1" 5004 1 >"$3/sink.txt" &
	for _ in $(seq 100); do ss -Hnlu "sport = :5004" | grep -q . && break; sleep 0.1; done
	"$2" --clip team-mp4 --dest 127.0.0.1:5004 --frames 45 --speed 4 --db "$3/r.db" >"$3/send.txt"
	wait' sh "$sink" "$tb_send" "$dir"
expect "tb-send: frames sent" "$(sed -n 's/.* frames=\([0-9]*\).*/\1/p' "$dir/send.txt")" 45
expect "tb-send: the runs row names the clip" "$(sqlite3 "$dir/r.db" "SELECT clip || ' ' || (SELECT count(*) FROM frames_sent) FROM runs")" "team-mp4 45"
expect "tb-send: every packet arrived" "$(sed -n 's/.* packets=\([0-9]*\).*/\1/p' "$dir/sink.txt")" "$(sed -n 's/.* packets=\([0-9]*\).*/\1/p' "$dir/send.txt")"
expect "tb-send: frame sizes add up to the clip" \
	"$(sqlite3 "$dir/r.db" "SELECT sum(size_bytes) FROM frames_sent")" "$ref_bytes"

# Refusals: exit status and the reason.
refused() { # DESCRIPTION WANT_RC WANT_TEXT ARGS...
	local what=$1 rc=0 want_rc=$2 text=$3
	shift 3
	"$root/testbed" clips import "$@" >"$dir/err" 2>&1 || rc=$?
	expect "$what: exit status" "$rc" "$want_rc"
	expect "$what: says why" "$(grep -c -F -- "$text" "$dir/err")" 1
}
gst-launch-1.0 -q videotestsrc num-buffers=5 ! jpegenc ! matroskamux ! filesink location="$dir/mjpeg.mkv"
printf 'not video\n' >"$dir/notes.txt"
refused "no such file" 1 "import: no such file: $dir/none.mp4" "$dir/none.mp4"
refused "MJPEG in MKV" 1 "the video of $dir/mjpeg.mkv (MKV) is image/jpeg, not H.264" "$dir/mjpeg.mkv"
refused "a text file" 1 "is not H.264 in MP4/MKV or an H.264 elementary stream" "$dir/notes.txt"
refused "name taken" 2 "a clip named 'team-mp4' exists in $clips (--force replaces it)" "$dir/team.mkv" --name team-mp4
refused "a path as name" 2 "'a/b' is not a clip name" "$dir/team.mp4" --name a/b
refused "a generated clip's name" 2 "'720p30' is a generated test clip" "$dir/team.mp4" --name 720p30
cp "$dir/team.mkv" "$dir/my clip.mkv"
refused "a file name that is no clip name" 2 "the name from FILE (give --name): 'my clip' is not a clip name" "$dir/my clip.mkv"
"$root/testbed" clips import "$dir/team.mkv" --name team-mp4 --force >/dev/null 2>&1
expect "--force replaces" "$(grep -c 'team-mp4 width=320' "$clips/team-mp4.idx")" 1
expect "no temporary files left" "$(find "$clips" -name '.import*' | wc -l)" 0

tb_summary
