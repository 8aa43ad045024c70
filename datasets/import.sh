#!/usr/bin/env bash
# ./testbed clips import FILE: a team's own recording (H.264 in MP4 or MKV,
# or an H.264 elementary stream) becomes a clip like the generated ones:
# NAME.h264 (Annex-B access units, as h264parse writes them) and NAME.idx
# (tb-clip-index) in the clip directory, so tb-send, run and sweep take it
# by name. The frame rate comes from the container (or the stream's VUI);
# the clip's statistics are printed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../scripts/lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed clips import FILE [--name NAME] [--force] [--fps NUM/DEN] [--out DIR] [--indexer PATH]

Demuxes FILE (H.264 video in MP4/MOV or MKV, or an H.264 elementary stream)
with GStreamer into the clip NAME.h264 + NAME.idx in DIR (default
$TB_CACHE/clips, where tb-send --clip NAME looks) and prints its bitrate,
keyframe interval and frame sizes.
  --name NAME     the clip's name (default: FILE's name without its extension);
                  letters, digits, '.', '_', '-', at most 64, not ending in .h264
  --force         replace an imported clip of that name
  --fps NUM/DEN   frame rate of an elementary stream that carries none (a
                  container's own rate is always used)
  --indexer PATH  tb-clip-index binary (default $TB_BUILD/datasets/tb-clip-index)
TXT
}

file='' name='' force=0 fps='' out=$TB_CACHE/clips indexer=$TB_BUILD/datasets/tb-clip-index
while [ $# -gt 0 ]; do
	case "$1" in
	--name | --fps | --out | --indexer)
		[ $# -ge 2 ] || tb_usage_die "import: $1 needs a value"
		case "$1" in
		--name) name=$2 ;;
		--fps) fps=$2 ;;
		--out) out=$2 ;;
		--indexer) indexer=$2 ;;
		esac
		shift
		;;
	--force) force=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) tb_usage_die "import: unknown option '$1'" ;;
	*) [ -z "$file" ] || tb_usage_die "import: one FILE only (got '$file' and '$1')"; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || tb_usage_die "import: which FILE?"
[ -e "$file" ] || tb_die "import: no such file: $file"
if ! [ -f "$file" ] || ! [ -r "$file" ]; then tb_die "import: cannot read $file (not a readable file)"; fi
if [ -n "$fps" ] && ! [[ $fps =~ ^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$ ]]; then
	tb_usage_die "import: --fps: expected NUM/DEN with positive integers (e.g. 30/1, 30000/1001), got '$fps'"
fi
name_from=--name
if [ -z "$name" ]; then
	name=$(basename -- "$file")
	name=${name%.*}
	name_from="the name from FILE (give --name)"
fi
# A name tb_clip_load resolves in the clip directory: no '/', not *.h264
# (both mean a path there), nothing a shell or SQL needs quoted.
if ! [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || [[ $name == *.h264 ]]; then
	tb_usage_die "import: $name_from: '$name' is not a clip name (letters, digits, '.', '_', '-', at most 64, not ending in .h264)"
fi
if awk -v n="$name" '!/^#/ && $1 == n { found = 1 } END { exit !found }' "$here/clips.conf"; then
	tb_usage_die "import: $name_from: '$name' is a generated test clip (datasets/clips.conf); choose another name"
fi
if [ "$force" -eq 0 ] && { [ -e "$out/$name.h264" ] || [ -e "$out/$name.idx" ]; }; then
	tb_usage_die "import: a clip named '$name' exists in $out (--force replaces it)"
fi
if ! tb_have gst-launch-1.0 || ! tb_have gst-typefind-1.0; then tb_die "import: GStreamer is missing (./testbed setup)"; fi
[ -x "$indexer" ] || tb_die "import: no $indexer: build first (./testbed build)"

# What GStreamer finds in the file: "FILE - MEDIA/TYPE, fields".
type=$(gst-typefind-1.0 "$file" 2>/dev/null | sed -n 's/.* - \([^,]*\).*/\1/p' | tail -n1)
case "$type" in
video/quicktime) demux=qtdemux container=MP4 ;;
video/x-matroska | video/webm) demux=matroskademux container=MKV ;;
video/x-h264) demux='' container='H.264 elementary stream' ;;
*) tb_die "import: $file is not H.264 in MP4/MKV or an H.264 elementary stream (GStreamer finds ${type:-nothing it knows})" ;;
esac

mkdir -p "$out"
tmp=$(mktemp -d "$out/.import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=(filesrc location="$file")
if [ -n "$demux" ]; then
	src+=(! "$demux" name=d d.video_0)
	# What the container's first video track holds, from its first buffer's
	# caps: a demuxer whose pad cannot link to h264parse may never finish.
	gst-launch-1.0 -v "${src[@]}" ! fakesink num-buffers=1 >"$tmp/probe.log" 2>&1 || true
	what=$(sed -n 's/.*GstFakeSink:fakesink0.GstPad:sink: caps = \([^,]*\).*/\1/p' "$tmp/probe.log" | tail -n1)
	case "$what" in
	'') tb_die "import: $file ($container) has no video track" ;;
	video/x-h264) ;;
	*) tb_die "import: the video of $file ($container) is $what, not H.264" ;;
	esac
fi
# -v prints the caps of every pad: the filesink's are the stream as written,
# with the width, height and frame rate h264parse and the container agree on.
if ! gst-launch-1.0 -v "${src[@]}" ! h264parse ! video/x-h264,stream-format=byte-stream,alignment=au \
	! filesink location="$tmp/clip.h264" >"$tmp/gst.log" 2>&1; then
	tb_die "import: GStreamer could not demux the H.264 of $file: $(grep -m1 -i 'error' "$tmp/gst.log" || tail -n1 "$tmp/gst.log")"
fi
caps=$(sed -n 's/.*GstFileSink:filesink0.GstPad:sink: caps = //p' "$tmp/gst.log" | tail -n1)
cap() { sed -n "s/.*[ ,]$1=([a-z]*)\([0-9/]*\).*/\1/p" <<<"$caps"; }
width=$(cap width) height=$(cap height) rate=$(cap framerate)
if [ -z "$width" ] || [ -z "$height" ]; then tb_die "import: $file: GStreamer gave no picture size (caps: ${caps:-none})"; fi
[ -s "$tmp/clip.h264" ] || tb_die "import: $file holds no H.264 frames"
if [ -z "$rate" ] || [ "${rate%/*}" = 0 ]; then
	# No constant rate in the stream (an elementary stream without VUI timing,
	# or a variable-rate container): only then does --fps say it.
	[ -n "$fps" ] || tb_die "import: $file ($container) gives no constant frame rate; give --fps NUM/DEN"
	rate=$fps
elif [ -n "$fps" ] && [ "$fps" != "$rate" ]; then
	tb_usage_die "import: --fps $fps: $file ($container) says $rate, and its rate is the one used"
fi

"$indexer" --name "$name" --width "$width" --height "$height" --fps "$rate" "$tmp/clip.h264" "$tmp/clip.idx" ||
	tb_die "import: $file: the H.264 stream cannot be indexed"
mv -f "$tmp/clip.h264" "$out/$name.h264"
mv -f "$tmp/clip.idx" "$out/$name.idx"

# The statistics, from the index: "frame type idr offset size pts_ns" lines.
awk -v name="$name" -v src="$file" -v kind="$container" -v dir="$out" -v rate="$rate" -v w="$width" -v h="$height" '
	/^#/ { next }
	{
		n++; bytes += $5; if ($5 > max) max = $5
		if ($2 == "I") { ni++; ibytes += $5; if (last_i != "") { gaps++; gap = $1 - last_i; gsum += gap
			if (gmin == "" || gap < gmin) gmin = gap; if (gap > gmax) gmax = gap } last_i = $1 }
		else if ($2 == "P") { np++; pbytes += $5 } else nb++
		if ($3 == 1) nidr++
	}
	END {
		split(rate, r, "/"); fps = r[1] / r[2]; secs = n / fps
		printf "clip %s: imported from %s (%s) into %s\n", name, src, kind, dir
		printf "  %dx%d, %s fps (%.3f), %d frames, %.3f s, %d bytes = %.3f Mbit/s\n", w, h, rate, fps, n, secs, bytes, bytes * 8 / secs / 1e6
		if (gaps) printf "  keyframes: %d I-frames (%d IDR), every %.1f frames (min %d, max %d) = %.2f s\n", ni, nidr, gsum / gaps, gmin, gmax, gsum / gaps / fps
		else printf "  keyframes: %d I-frame (%d IDR), none after frame %d\n", ni, nidr, last_i
		printf "  frame size: mean %.0f B, max %d B; I-frames mean %.0f B, P-frames mean %s B", bytes / n, max, ni ? ibytes / ni : 0, np ? sprintf("%.0f", pbytes / np) : "-"
		if (nb) printf ", %d B-frames", nb
		printf "\n  use it: tb-send --clip %s, ./testbed run --clip %s\n", name, name
	}' "$out/$name.idx"
