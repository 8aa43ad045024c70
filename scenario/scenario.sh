#!/usr/bin/env bash
# ./testbed scenario: the robot <-> wan <-> operator namespaces with a VPN
# (OpenVPN or wireguard-go) and a WAN profile, by hand. The work is done by scenario-lib.sh; this file
# parses the command line and dispatches.
set -euo pipefail
# shellcheck source=scenario/scenario-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenario-lib.sh"

usage() {
	cat <<'TXT'
usage: ./testbed scenario up [OPTIONS]
       ./testbed scenario down|status [--prefix P] [--dir DIR]
       ./testbed scenario tun --ring N --qdisc SPEC [--prefix P] [--dir DIR]
       ./testbed scenario counters [--json] [--prefix P] [--dir DIR]
       ./testbed scenario counters-diff BEFORE AFTER
       ./testbed scenario pki [--dir DIR]

Brings up (as root) namespaces PREFIXrobot, PREFIXwan, PREFIXoperator joined by
veth pairs (198.18.1.0/24, 198.18.2.0/24), a VPN over UDP from robot
(tbtun0, 198.18.100.2) to operator (tbtun1, 198.18.100.1), a WAN profile on
the wan veths and the run's ring and qdisc on tbtun0.

  --prefix P       namespace name prefix (default tb-), for parallel scenarios
  --dir DIR        campaign directory: PKI in DIR/pki, state, logs and the
                   recorded knobs in DIR/scenario-PREFIX (default ~/.cache/
                   tun-nodrop-testbed/scenario; in the VM $TB_VM_OUT/scenario)
  --profile NAME   netem-profiles/NAME.profile, a path, or 'none' (default lan);
                   a profile with impairment needs sch_netem (the testbed VM)
  --ring N         txqueuelen (TUN ring size) of tbtun0 (default 500)
  --qdisc SPEC     root qdisc of tbtun0: noqueue, pfifo_fast, 'pfifo limit N',
                   'bfifo limit B', 'fq_codel [...]', 'cake [...]', 'fq [...]'
                   (default pfifo_fast)
  --vpn V          openvpn (default) or wireguard-go (keys made per campaign
                   in DIR/wg; TUN MTU 1440 so the outer packets fit 1500)
  --flag on|off    on: the robot's TUN is made with IFF_BACKPRESSURE (OpenVPN
                   under tools/preload; wireguard-go handed a TUN made by
                   tools/tun-exec; default off); the flag the TUN really has
                   is recorded as flag_applied
  --cipher C       OpenVPN data cipher: AES-256-GCM (default), AES-128-GCM
                   or CHACHA20-POLY1305
  --timeout S      seconds to wait for the tunnel (default 300)
  --json           counters as one JSON object instead of key=value lines

'tun' changes ring and qdisc of a running scenario (between runs, without
restarting the VPN). 'counters' prints the drop counters of every place of a
run; 'counters-diff' subtracts two such snapshots. 'pki' makes (or keeps) the
campaign's certificates: do it on the host before booting a VM, where
generating them costs ~8 s. TB_SCENARIO_QUIET=1 silences the progress lines
of 'up'.
TXT
}

main() {
	[ $# -gt 0 ] || tb_usage_die "scenario: missing command"
	local cmd=$1 json=0 ring_set=0 qdisc_set=0
	shift
	case "$cmd" in
	-h | --help | help) usage; exit 0 ;;
	up | down | status | tun | counters | pki) ;;
	counters-diff)
		[ $# -eq 2 ] || tb_usage_die "scenario counters-diff: needs BEFORE and AFTER files"
		tb_scenario_counters_diff "$1" "$2"
		return 0
		;;
	*) tb_usage_die "scenario: unknown command '$cmd'" ;;
	esac
	while [ $# -gt 0 ]; do
		case "$1" in
		--prefix | --dir | --profile | --ring | --qdisc | --flag | --vpn | --cipher | --timeout)
			[ $# -ge 2 ] || tb_usage_die "scenario: $1 needs a value"
			case "$1" in
			--prefix) TB_SCENARIO_PREFIX=$2 ;;
			--dir) TB_SCENARIO_DIR=$2 ;;
			--profile) TB_SCENARIO_PROFILE=$2 ;;
			--ring) TB_SCENARIO_RING=$2 ring_set=1 ;;
			--qdisc) TB_SCENARIO_QDISC=$2 qdisc_set=1 ;;
			--flag) TB_SCENARIO_FLAG=$2 ;;
			--vpn) TB_SCENARIO_VPN=$2 ;;
			--cipher)
				case "$2" in
				AES-256-GCM | AES-128-GCM | CHACHA20-POLY1305) TB_SCENARIO_CIPHER=$2 ;;
				*) tb_usage_die "scenario: cipher '$2': use AES-256-GCM, AES-128-GCM or CHACHA20-POLY1305" ;;
				esac
				;;
			--timeout)
				case "$2" in '' | *[!0-9]*) tb_usage_die "scenario: --timeout '$2': whole seconds" ;; esac
				TB_SCENARIO_TIMEOUT=$2
				;;
			esac
			shift
			;;
		--json) json=1 ;;
		-h | --help) usage; exit 0 ;;
		*) tb_usage_die "scenario: unknown option '$1'" ;;
		esac
		shift
	done
	tb_scenario_init
	case "$cmd" in
	up)
		tb_require_root "scenario up"
		tb_scenario_up
		;;
	down)
		tb_require_root "scenario down"
		tb_scenario_down
		;;
	status)
		tb_require_root "scenario status"
		tb_scenario_status
		;;
	pki)
		tb_scenario_pki "$TB_SCENARIO_DIR"
		echo "$TB_SCENARIO_DIR/pki"
		;;
	tun)
		tb_require_root "scenario tun"
		if [ "$ring_set" -eq 0 ] || [ "$qdisc_set" -eq 0 ]; then tb_usage_die "scenario tun: needs --ring and --qdisc"; fi
		# the profile stays what 'up' applied
		TB_SCENARIO_PROFILE=$(tb_scenario_knob profile)
		TB_SCENARIO_PROFILE=${TB_SCENARIO_PROFILE:-unknown}
		TB_SCENARIO_VPN=$(tb_scenario_knob vpn)
		TB_SCENARIO_VPN=${TB_SCENARIO_VPN:-openvpn}
		tb_scenario_set_tun "$TB_SCENARIO_RING" "$TB_SCENARIO_QDISC"
		;;
	counters)
		tb_require_root "scenario counters"
		if [ "$json" -eq 1 ]; then tb_scenario_counters | tb_scenario_kv_to_json; else tb_scenario_counters; fi
		;;
	esac
}

main "$@"
