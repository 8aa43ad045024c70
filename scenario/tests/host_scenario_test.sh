#!/usr/bin/env bash
# Host integration test of ./testbed scenario (as root): namespaces, veth,
# OpenVPN with the campaign PKI, UDP through the tunnel, the drop counters,
# the tun knobs, the clear failure when the kernel lacks a qdisc, cleanup on
# failure and on SIGTERM, and that 'down' leaves nothing behind.
set -euo pipefail
root=${1:?usage: host_scenario_test.sh REPO_ROOT}
scenario=$root/scenario/scenario.sh
[ "$(id -u)" -eq 0 ] || { echo "host_scenario_test: needs root (network namespaces)" >&2; exit 1; }
[ -x "${TB_PROFILE_BIN:-}" ] || { echo "host_scenario_test: set TB_PROFILE_BIN to a built tb-profile" >&2; exit 1; }

prefix="tbt$$-"
prefix2="tbu$$-"
probe="tbp$$-probe"
dir=$(mktemp -d)
out=$dir/out
mkdir "$out"
cleanup() {
	bash "$scenario" down --prefix "$prefix" --dir "$dir" >/dev/null 2>&1 || true
	bash "$scenario" down --prefix "$prefix2" --dir "$dir" >/dev/null 2>&1 || true
	ip netns del "$probe" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/check.sh"
# shellcheck source=scenario/tests/drop_chain.sh
source "$(dirname "${BASH_SOURCE[0]}")/drop_chain.sh"
scn() { # scn NAME ARGS...: run scenario.sh, keep stdout/stderr/status in $out/NAME.*
	local name=$1 rc=0
	shift
	bash "$scenario" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
	echo "$rc" >"$out/$name.rc"
}
rc_is() { [ "$(cat "$out/$1.rc")" = "$2" ]; }
no_namespaces() { ! ip netns list | awk '{ print $1 }' | grep -q "^$1"; }
# processes whose command line mentions PATH (read-only look at /proc)
procs_mentioning() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$1" && echo "${p#/proc/}"
	done
	return 0
}
knob() { sed -n "s/^$1=//p" "$dir/scenario-${prefix%-}/knobs.env"; }

# Does this kernel have netem / fq_codel? (probed in a namespace of our own)
ip netns add "$probe"
has_qdisc() {
	local args=("$1")
	[ "$1" = netem ] && args=(netem delay 1ms)
	if tc -n "$probe" qdisc add dev lo root "${args[@]}" 2>/dev/null; then
		tc -n "$probe" qdisc del dev lo root
		return 0
	fi
	return 1
}
has_netem=0 has_fq_codel=0
has_qdisc netem && has_netem=1
has_qdisc fq_codel && has_fq_codel=1
echo "kernel $(uname -r): netem=$has_netem fq_codel=$has_fq_codel"

# --- command line -------------------------------------------------------------
scn help --help
check "--help exits 0" rc_is help 0
check "--help prints usage" grep -q '^usage: ./testbed scenario up' "$out/help.out"
scn badopt up --bogus
check "unknown option exits 2" rc_is badopt 2
check "unknown option named" grep -qF -- "unknown option '--bogus'" "$out/badopt.err"
scn badring up --prefix "$prefix" --dir "$dir" --ring 12x
check "bad ring exits 2" rc_is badring 2
scn badqdisc up --prefix "$prefix" --dir "$dir" --qdisc 'sfq perturb 10'
check "unknown qdisc kind exits 2" rc_is badqdisc 2
check "unknown qdisc kind named" grep -qF "kind 'sfq' is not one of" "$out/badqdisc.err"
scn badprofile up --prefix "$prefix" --dir "$dir" --profile no-such-profile
check "unknown profile exits 2" rc_is badprofile 2
check "unknown profile lists the known ones" grep -qF "no such profile 'no-such-profile' (known: none 5g" "$out/badprofile.err"
check "usage errors leave no namespace" no_namespaces "$prefix"
# settings come from the command line only: a prefix in the environment that
# would be refused is not read (status on the default prefix changes nothing)
TB_SCENARIO_PREFIX='bad!' scn envset status --dir "$dir"
check "settings in the environment are ignored" test "$(cat "$out/envset.rc")" != 2

# --- every shipped profile's tc lines pass tc's own parser ----------------------
ip -n "$probe" link add name va type veth peer name vb
for f in "$root"/netem-profiles/*.profile; do
	for d in up down; do
		line=$("$TB_PROFILE_BIN" tc "$f" --dir "$d" --dev va)
		[ -n "$line" ] || continue
		rc=0
		# shellcheck disable=SC2086 # tc arguments, split on purpose
		msg=$(tc -n "$probe" $line 2>&1) || rc=$?
		# accepted by the parser = applied, or refused by a kernel without netem
		check "tc parses $(basename "$f") $d" test "$rc" -eq 0 -o "${msg#*qdisc kind is unknown}" != "$msg"
	done
done
ip netns del "$probe"

# --- a netem profile: clear failure without sch_netem, applied with it ---------
scn netem up --prefix "$prefix" --dir "$dir" --profile lte-uplink
if [ "$has_netem" -eq 0 ]; then
	check "netem profile without sch_netem exits 1" rc_is netem 1
	check "netem profile: the clear message" grep -qF "lacks sch_netem, which profile 'lte-uplink' needs; run inside the testbed VM" "$out/netem.err"
	check "failed up leaves no namespace" no_namespaces "$prefix"
	check "failed up leaves no openvpn" test -z "$(procs_mentioning "$dir/scenario-")"
else
	check "netem profile applied" rc_is netem 0
	check "netem on the up veth" grep -q 'netem' <(tc -n "${prefix}wan" qdisc show dev veth-op)
	bash "$scenario" down --prefix "$prefix" --dir "$dir" 2>/dev/null
fi

# --- up with the lan profile and explicit knobs -------------------------------
start=$(date +%s%N)
scn up up --prefix "$prefix" --dir "$dir" --profile lan --ring 64 --qdisc 'pfifo limit 100' --timeout 20
up_ms=$((($(date +%s%N) - start) / 1000000))
check "up exits 0" rc_is up 0
[ "$(cat "$out/up.rc")" = 0 ] || { cat "$out/up.err" >&2; exit 1; }
echo "up took ${up_ms} ms"
state=$dir/scenario-${prefix%-}
check "knob ring recorded" test "$(knob ring)" = 64
check "knob qdisc: the setting as given" test "$(knob qdisc)" = 'pfifo limit 100'
check "knob qdisc_kind recorded" test "$(knob qdisc_kind)" = pfifo
check "knob qdisc_limit recorded" test "$(knob qdisc_limit)" = 100
check "knob qdisc_applied: as tc shows it" test "$(knob qdisc_applied)" = 'limit 100p'
check "knob profile recorded" test "$(knob profile)" = lan
check "knob cipher recorded" test "$(knob vpn_cipher)" = AES-256-GCM
check "knob vpn recorded" test "$(knob vpn)" = openvpn
check "knob vpn_version is openvpn's" test "$(knob vpn_version)" = "$(openvpn --version | awk 'NR == 1 { print $2 }')"
check "knobs.json written" jq -e '.ring == 64 and .qdisc == "pfifo limit 100" and .qdisc_kind == "pfifo"' "$state/knobs.json"
check "profile.json written" grep -q '"name":"lan"' "$state/profile.json"
check "tun txqueuelen is the ring" grep -q 'qlen 64' <(ip -n "${prefix}robot" link show tbtun0)
check "tun qdisc is pfifo limit 100" grep -q 'qdisc pfifo .* limit 100p' <(tc -n "${prefix}robot" qdisc show dev tbtun0)
check "operator tun exists" ip -n "${prefix}operator" link show tbtun1
check "wan forwards" test "$(ip netns exec "${prefix}wan" sysctl -n net.ipv4.ip_forward)" = 1

# PKI: EC keys, private files, verifying chain, TLS and the AEAD cipher in use
for f in ca.crt server.crt client.crt ca.key server.key client.key tls-crypt.key; do
	check "pki has $f" test -s "$dir/pki/$f"
done
check "keys are private (0600)" test "$(stat -c %a "$dir/pki/client.key")" = 600
check "certificates are EC P-256" grep -q 'prime256v1\|P-256' <(openssl x509 -in "$dir/pki/client.crt" -noout -text)
check "certificates verify against the CA" openssl verify -CAfile "$dir/pki/ca.crt" "$dir/pki/server.crt" "$dir/pki/client.crt"
check "leaf certificates expire within 8 days" bash -c "! openssl x509 -in '$dir/pki/server.crt' -noout -checkend $((8 * 86400)) >/dev/null"
check "robot log: data channel AES-256-GCM" grep -qF "Data Channel: cipher 'AES-256-GCM'" "$state/openvpn-robot.log"
check "operator log: data channel AES-256-GCM" grep -qF "Data Channel: cipher 'AES-256-GCM'" "$state/openvpn-operator.log"
check "robot log: TLS 1.2 or newer" grep -qE 'Control Channel: TLSv1\.[23]' "$state/openvpn-robot.log"
check "robot log: peer certificate is EC" grep -qE 'peer certificate: 256 bits? EC' "$state/openvpn-robot.log"
check "no compression negotiated" bash -c "! grep -qiE 'compression (enabled|lz4|lzo)|comp-lzo' '$state/openvpn-robot.log'"
robot_pid=$(cat "$state/openvpn-robot.pid")
operator_pid=$(cat "$state/openvpn-operator.pid")
check "robot runs as TLS client, no static key" bash -c "tr '\0' ' ' </proc/$robot_pid/cmdline | grep -q -- '--tls-client' && ! tr '\0' ' ' </proc/$robot_pid/cmdline | grep -q -- '--secret'"

scn status status --prefix "$prefix" --dir "$dir"
check "status exits 0 with the tunnel up" rc_is status 0
check "status reports the tunnel" grep -q '^tunnel: robot reaches 198.18.100.1' "$out/status.out"

# a second 'up' on the same prefix is refused and leaves the first alone
scn again up --prefix "$prefix" --dir "$dir"
check "up on a prefix in use exits 1" rc_is again 1
check "up on a prefix in use: message" grep -qF "namespace ${prefix}robot exists already" "$out/again.err"
check "the first scenario survived" ip netns exec "${prefix}robot" ping -n -q -c 1 -W 2 198.18.100.1

# --- MTU: the largest inner packet passes without outer fragmentation ----------
frag_creates() { # the robot netns's Ip FragCreates, found by its column name
	# shellcheck disable=SC2016 # an awk program, not shell
	ip netns exec "${prefix}robot" awk '$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Ip:" { print $(c["FragCreates"]); exit }' /proc/net/snmp
}
frag_before=$(frag_creates)
check "1448-byte packet passes with DF" ip netns exec "${prefix}robot" ping -n -q -c 2 -i 0.2 -Mdo -s 1420 198.18.100.1
check "1449-byte packet is refused by the tun MTU" bash -c "! ip netns exec '${prefix}robot' ping -n -q -c 1 -Mdo -s 1421 198.18.100.1 >/dev/null 2>&1"
frag_after=$(frag_creates)
check "no outer IP fragments (FragCreates unchanged)" test "$frag_before" = "$frag_after"

# --- UDP through the VPN, with the counters around it ----------------------------
scn c1 counters --prefix "$prefix" --dir "$dir"
ip netns exec "${prefix}operator" iperf3 -s -1 -B 198.18.100.1 -p 5201 -D
sleep 0.3
rc=0
ip netns exec "${prefix}robot" iperf3 -u -c 198.18.100.1 -p 5201 -b 2M -t 2 -l 1200 >"$out/iperf.txt" 2>&1 || rc=$?
check "iperf3 UDP through the tunnel exits 0" test "$rc" -eq 0
udp_counts "$out/iperf.txt"
echo "iperf3: ${sent:-?} datagrams sent, $received received"
check "datagrams arrived" test "$received" -gt 300
sleep 1.2 # OpenVPN's status file is rewritten every second
scn c2 counters --prefix "$prefix" --dir "$dir"
delta=$out/delta
bash "$scenario" counters-diff "$out/c1.out" "$out/c2.out" >"$delta"
# Nothing is lost on an idle host, but a loaded one (other builds, VMs)
# can stall OpenVPN long enough to fill the 64-packet ring: then the loss
# must be explained by the counters, datagram for datagram.
check_drop_chain
check "ring carried the datagrams" test "$(($(d ring.tx_packets) + $(d ring.tx_dropped)))" -ge "$sent"
check "vpn: status bytes robot tun read = operator tun write" test "$(d vpn.robot.tun_read_bytes)" = "$(d vpn.operator.tun_write_bytes)"
check "wan veth carried what arrived" test "$(d wan.up.veth_tx_packets)" -ge "$received"
check "counters list the five places" test "$(grep -cE '^(ring|qdisc|socket|wan|vpn)\.' "$out/c2.out")" -ge 20
scn cj counters --json --prefix "$prefix" --dir "$dir"
check "counters --json is valid JSON" jq -e '(.["ring.tx_dropped"] | type == "number") and .["qdisc.kind"] == "pfifo"' "$out/cj.out"

# --- changing the tun knobs between runs --------------------------------------
scn tun1 tun --prefix "$prefix" --dir "$dir" --ring 25 --qdisc noqueue
check "tun noqueue exits 0" rc_is tun1 0
check "tun: ring 25 recorded" test "$(knob ring)" = 25
check "tun: noqueue recorded, limit 0" test "$(knob qdisc):$(knob qdisc_kind):$(knob qdisc_limit)" = noqueue:noqueue:0
check "tun: ring applied" grep -q 'qlen 25' <(ip -n "${prefix}robot" link show tbtun0)
scn tun2 tun --prefix "$prefix" --dir "$dir" --ring 25 --qdisc pfifo_fast
check "tun: pfifo_fast limit is the ring" test "$(knob qdisc_kind):$(knob qdisc_limit)" = pfifo_fast:25
scn tun3 tun --prefix "$prefix" --dir "$dir" --ring 25 --qdisc 'fq_codel limit 100'
if [ "$has_fq_codel" -eq 0 ]; then
	check "fq_codel without sch_fq_codel exits 1" rc_is tun3 1
	check "fq_codel: the clear message" grep -qF "lacks sch_fq_codel, which qdisc 'fq_codel limit 100' on the tun needs; run inside the testbed VM" "$out/tun3.err"
	check "fq_codel refused: knobs unchanged" test "$(knob qdisc):$(knob qdisc_kind)" = pfifo_fast:pfifo_fast
	kept=pfifo_fast
else
	check "fq_codel applied" rc_is tun3 0
	kept='fq_codel limit 100'
fi
scn tun4 tun --prefix "$prefix" --dir "$dir" --ring 0 --qdisc noqueue
check "ring 0 exits 2" rc_is tun4 2
scn tun5 tun --prefix "$prefix" --dir "$dir" --ring 30 --qdisc 'pfifo limit many'
check "a qdisc tc refuses exits 2" rc_is tun5 2
check "tc's refusal is shown" grep -qF "qdisc 'pfifo limit many' rejected by tc" "$out/tun5.err"
check "the ring change is still recorded" test "$(knob ring)" = 30
check "the qdisc that stayed is recorded" test "$(knob qdisc):$(knob qdisc_kind)" = "$kept:${kept%% *}"

# --- a second scenario in parallel, interrupted while coming up -------------------
setsid bash "$scenario" up --prefix "$prefix2" --dir "$dir" --timeout 20 >"$out/int.out" 2>"$out/int.err" &
int_pid=$!
for _ in $(seq 1 100); do
	ip netns list | grep -q "^${prefix2}robot" && break
	sleep 0.05
done
kill -TERM -- "-$int_pid"
rc=0
wait "$int_pid" || rc=$?
check "interrupted up exits 130" test "$rc" -eq 130
check "interrupted up: message" grep -qF "interrupted: tearing down" "$out/int.err"
check "interrupted up leaves no namespace" no_namespaces "$prefix2"
check "interrupted up leaves no openvpn" test -z "$(procs_mentioning "$dir/scenario-${prefix2%-}/")"
check "first scenario still up" ip netns exec "${prefix}robot" ping -n -q -c 1 -W 2 198.18.100.1

# --- a tunnel that cannot come up: the server presents the client's certificate
mkdir -p "$dir/bad/pki"
cp -p "$dir/pki/"* "$dir/bad/pki/"
cp -p "$dir/pki/client.crt" "$dir/bad/pki/server.crt"
cp -p "$dir/pki/client.key" "$dir/bad/pki/server.key"
scn bad up --prefix "$prefix2" --dir "$dir/bad" --timeout 3 --profile none
check "profile 'none' recorded" grep -qF '{"name":"none"}' "$dir/bad/scenario-${prefix2%-}/profile.json"
check "tunnel failure exits 1" rc_is bad 1
check "tunnel failure: clear message" grep -qF "the tunnel did not come up within 3s" "$out/bad.err"
check "tunnel failure: OpenVPN log tails shown" grep -qF -- "--- last lines of $dir/bad/scenario-${prefix2%-}/openvpn-robot.log" "$out/bad.err"
check "tunnel failure: the first error is shown (wrong certificate purpose)" grep -qF "VERIFY ERROR: depth=0, error=unsuitable certificate purpose: CN=tb-client" "$out/bad.err"
check "tunnel failure leaves no namespace" no_namespaces "$prefix2"
check "tunnel failure leaves no openvpn" test -z "$(procs_mentioning "$dir/bad/scenario-")"

# --- down leaves nothing -------------------------------------------------------------
scn down down --prefix "$prefix" --dir "$dir"
check "down exits 0" rc_is down 0
check "down: no namespace left" no_namespaces "$prefix"
check "down: robot openvpn gone" test ! -e "/proc/$robot_pid"
check "down: operator openvpn gone" test ! -e "/proc/$operator_pid"
check "down: no process mentions the state dir" test -z "$(procs_mentioning "$state/")"
scn down2 down --prefix "$prefix" --dir "$dir"
check "down twice exits 0" rc_is down2 0
scn status2 status --prefix "$prefix" --dir "$dir"
check "status after down exits 1" rc_is status2 1

tb_summary
