/* tb-send's command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send.h"
#include "tb/clock.h"
#include "tb/err.h"
#include "tb/rtp_build.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tb-send (--clip NAME|PATH | --gst PIPELINE) --dest HOST:PORT [options]\n"
		"Replays a clip's H.264 frames as RTP/UDP (RFC 6184 + the testbed's extension)\n"
		"at their capture times, looping the clip; frame numbers keep increasing.\n"
		"Or sends a live encoder's frames as they come out.\n"
		"  --clip NAME|PATH   clip name in $TB_CACHE/clips (e.g. 720p30) or a .h264 path\n"
		"  --gst PIPELINE     live source: a GStreamer pipeline ending in an H.264 encoder,\n"
		"                     e.g. 'v4l2src ! videoconvert ! x264enc tune=zerolatency';\n"
		"                     tb-send appends h264parse and its appsink\n"
		"  --record FILE.h264 with --gst: keep the encoded stream (and FILE.idx) for --clip\n"
		"  --dest HOST:PORT   destination; IPv6 as [ADDR]:PORT\n"
		"  --duration SEC     how long to send (default: one pass of the clip)\n"
		"  --frames N         stop after N frames (with or instead of --duration)\n"
		"  --pace FRACTION    spread each frame's packets over FRACTION (0..1] of the\n"
		"                     frame interval (default 0: back to back, as encoders do)\n"
		"  --speed X          play X times faster (default 1; clips only)\n"
		"  --flood            ignore timestamps: frames back to back, as fast as send() goes\n"
		"  --nonblocking      non-blocking socket: packets refused with EAGAIN are dropped\n"
		"                     and counted (default: blocking, time inside send() recorded)\n"
		"  --sndbuf BYTES     SO_SNDBUF (SO_SNDBUFFORCE when permitted)\n"
		"  --stream K         the camera this stream is of, 0..%d (default 0): written into\n"
		"                     frames_sent.stream; tb-recv --stream K files its frames alike\n"
		"  --start-at NS      send the first frame at this CLOCK_REALTIME time (ns since\n"
		"                     the epoch), so that several senders given the same time start\n"
		"                     their clips, and their keyframes, together; at most 60 s ahead,\n"
		"                     and at most 1 s past (frames due before now go out at once)\n"
		"  --ssrc N           RTP SSRC (default 0x54420001 + the --stream number)\n"
		"  --first-seq N      first RTP sequence number (default 0)\n"
		"  --max-packet BYTES RTP packet size limit = UDP payload (default %d)\n"
		"  --mtu BYTES        derive --max-packet from an IP MTU (minus IP and UDP headers)\n"
		"  --no-ext           omit the RFC 8285 extension (a plain RTP/H.264 stream)\n"
		"  --db PATH          write a frames_sent row per frame into this results store\n"
		"  --run-id N         the runs row to attach them to (default: create one)\n"
		"  --quiet            no summary line\n"
		"Prints one summary line: frames, packets, bytes, bitrate, blocked time.\n",
		TB_SEND_MAX_STREAM, TB_RTP_DEFAULT_MAX_PACKET);
}

enum { O_CLIP = 256, O_GST, O_RECORD, O_DEST, O_DURATION, O_FRAMES, O_PACE, O_SPEED, O_FLOOD, O_NONBLOCK, O_SNDBUF,
       O_SSRC, O_FIRST_SEQ, O_MAX_PACKET, O_MTU, O_NO_EXT, O_DB, O_RUN_ID, O_QUIET, O_HELP, O_STREAM,
       O_START_AT };

static long long int_opt(const char *name, const char *v, long long min, long long max)
{
	long long x;
	if (tb_parse_i64(v, min, max, &x))
		tb_usage_die("--%s: expected an integer in %lld..%lld, got '%s'", name, min, max, v);
	return x;
}

static double real_opt(const char *name, const char *v, double min, double max)
{
	double x;
	if (tb_parse_double(v, min, max, &x))
		tb_usage_die("--%s: expected a number in %g..%g, got '%s'", name, min, max, v);
	return x;
}

void send_parse_opts(int argc, char **argv, struct send_opts *o)
{
	static const struct option opts[] = {
		{"clip", required_argument, 0, O_CLIP}, {"dest", required_argument, 0, O_DEST},
		{"gst", required_argument, 0, O_GST}, {"record", required_argument, 0, O_RECORD},
		{"duration", required_argument, 0, O_DURATION}, {"frames", required_argument, 0, O_FRAMES},
		{"pace", required_argument, 0, O_PACE}, {"speed", required_argument, 0, O_SPEED},
		{"flood", no_argument, 0, O_FLOOD}, {"nonblocking", no_argument, 0, O_NONBLOCK},
		{"sndbuf", required_argument, 0, O_SNDBUF}, {"ssrc", required_argument, 0, O_SSRC},
		{"first-seq", required_argument, 0, O_FIRST_SEQ},
		{"max-packet", required_argument, 0, O_MAX_PACKET}, {"mtu", required_argument, 0, O_MTU},
		{"no-ext", no_argument, 0, O_NO_EXT}, {"db", required_argument, 0, O_DB},
		{"run-id", required_argument, 0, O_RUN_ID}, {"quiet", no_argument, 0, O_QUIET},
		{"help", no_argument, 0, O_HELP}, {"stream", required_argument, 0, O_STREAM},
		{"start-at", required_argument, 0, O_START_AT}, {0, 0, 0, 0},
	};
	*o = (struct send_opts){.speed = 1.0};
	int ssrc_given = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_CLIP: o->clip = optarg; break;
		case O_GST: o->gst = optarg; break;
		case O_RECORD: o->record = optarg; break;
		case O_DEST: o->dest = optarg; break;
		case O_DURATION: o->duration_s = real_opt("duration", optarg, 0.001, 1e6); break;
		case O_FRAMES: o->frames = int_opt("frames", optarg, 1, 1000000000); break;
		case O_PACE: o->pace = real_opt("pace", optarg, 0, 1); break;
		case O_SPEED: o->speed = real_opt("speed", optarg, 0.01, 1000); break;
		case O_FLOOD: o->flood = 1; break;
		case O_NONBLOCK: o->nonblocking = 1; break;
		case O_SNDBUF: o->sndbuf = int_opt("sndbuf", optarg, 1024, 1LL << 30); break;
		case O_SSRC:
			o->ssrc = (uint32_t)int_opt("ssrc", optarg, 0, UINT32_MAX);
			ssrc_given = 1;
			break;
		case O_STREAM: o->stream = (int)int_opt("stream", optarg, 0, TB_SEND_MAX_STREAM); break;
		case O_START_AT: o->start_at_ns = int_opt("start-at", optarg, 1, INT64_MAX); break;
		case O_FIRST_SEQ: o->first_seq = (uint16_t)int_opt("first-seq", optarg, 0, UINT16_MAX); break;
		case O_MAX_PACKET:
			o->max_packet = int_opt("max-packet", optarg, TB_RTP_MIN_PACKET, TB_RTP_MAX_PACKET);
			break;
		case O_MTU: o->mtu = int_opt("mtu", optarg, 68 + 40, 65535); break;
		case O_NO_EXT: o->no_ext = 1; break;
		case O_DB: o->db = optarg; break;
		case O_RUN_ID: o->run_id = int_opt("run-id", optarg, 1, INT64_MAX); break;
		case O_QUIET: o->quiet = 1; break;
		case O_HELP: usage(stdout); exit(0);
		default:
			if (optopt)
				tb_usage_die("option '%s' needs a value or takes none (see --help)", argv[optind - 1]);
			tb_usage_die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		tb_usage_die("unexpected argument '%s' (see --help)", argv[optind]);
	int speed_given = o->speed != 1.0;
	if (!o->clip && !o->gst)
		tb_usage_die("--clip is required, or --gst for a live source (see --help)");
	if (o->clip && o->gst)
		tb_usage_die("--clip and --gst exclude each other");
	if (o->record && !o->gst)
		tb_usage_die("--record needs --gst (a clip is already a file)");
	if (o->record && (strlen(o->record) < 6 || strcmp(o->record + strlen(o->record) - 5, ".h264")))
		tb_usage_die("--record '%s': the name must end in .h264 (its index is written beside it)", o->record);
	if (o->gst && o->flood)
		tb_usage_die("--flood is for clips: a live source sends frames as they are encoded");
	if (o->gst && speed_given)
		tb_usage_die("--speed is for clips: a live source runs at its own pace");
	if (!o->dest)
		tb_usage_die("--dest is required (see --help)");
	if (o->max_packet && o->mtu)
		tb_usage_die("--max-packet and --mtu exclude each other");
	if (o->flood && o->pace > 0)
		tb_usage_die("--flood sends frames back to back; --pace does not apply");
	if (o->run_id && !o->db)
		tb_usage_die("--run-id needs --db");
	if (o->start_at_ns && o->gst)
		tb_usage_die("--start-at is for clips: a live source sends frames as they are encoded");
	char why[256];
	if (o->start_at_ns && send_start_at_problem(o->start_at_ns, tb_real_ns(), why, sizeof why))
		tb_usage_die("%s", why);
	if (!ssrc_given)
		o->ssrc = TB_SEND_SSRC_BASE + (uint32_t)o->stream;
}

const char *send_start_at_problem(int64_t start_ns, int64_t now_ns, char *buf, size_t len)
{
	if (start_ns < now_ns - TB_SEND_START_PAST_NS) {
		snprintf(buf, len,
			 "--start-at %lld is %.3f s in the past (at most %.0f s is caught up): give a time"
			 " a little ahead, the same for every sender",
			 (long long)start_ns, (double)(now_ns - start_ns) / 1e9, TB_SEND_START_PAST_NS / 1e9);
		return buf;
	}
	if (start_ns > now_ns + TB_SEND_START_AHEAD_NS) {
		snprintf(buf, len,
			 "--start-at %lld is %.3f s ahead (at most %.0f s): CLOCK_REALTIME nanoseconds since"
			 " the epoch, e.g. $(date +%%s%%N) + 300000000",
			 (long long)start_ns, (double)(start_ns - now_ns) / 1e9, TB_SEND_START_AHEAD_NS / 1e9);
		return buf;
	}
	return NULL;
}
