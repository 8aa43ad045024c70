# shellcheck shell=bash
# The campaign's OpenVPN PKI: a private CA, a server (operator) and a client
# (robot) certificate, EC P-256 keys, short-lived, plus a tls-crypt key.
# Generated with openssl into CAMPAIGN_DIR/pki and reused while every
# certificate stays valid for at least another day. Sourced by scenario-lib.sh
# (and by experiments/sweep.sh, which makes a campaign's PKI on the host).

TB_SCENARIO_CA_DAYS=30   # the CA outlives a few leaf generations
TB_SCENARIO_LEAF_DAYS=7  # short-lived: a campaign takes hours, not years

_tb_scenario_pki_files=(ca.crt ca.key server.crt server.key client.crt client.key tls-crypt.key)

# Usable as is? All files present and no certificate expiring within a day.
# A stamp (.valid-until: the earliest expiry, epoch seconds) written after a
# full check lets later calls decide without starting openssl, which costs
# seconds inside a TCG guest.
_tb_scenario_pki_valid() {
	local pki=$1 f until now
	for f in "${_tb_scenario_pki_files[@]}"; do
		[ -s "$pki/$f" ] || return 1
	done
	printf -v now '%(%s)T' -1
	if [ -s "$pki/.valid-until" ] && read -r until <"$pki/.valid-until" && [[ $until =~ ^[0-9]+$ ]]; then
		local fresh=1
		for f in "${_tb_scenario_pki_files[@]}"; do
			[ "$pki/.valid-until" -nt "$pki/$f" ] || fresh=0
		done
		if [ "$fresh" -eq 1 ]; then
			[ $((now + 86400)) -lt "$until" ]
			return
		fi
	fi
	for f in ca server client; do
		openssl x509 -in "$pki/$f.crt" -noout -checkend 86400 >/dev/null 2>&1 || return 1
	done
	openssl verify -CAfile "$pki/ca.crt" "$pki/server.crt" "$pki/client.crt" >/dev/null 2>&1 || return 1
	# every leaf is signed after its CA and expires first: the leaves' end
	# dates bound the validity
	until=$(for f in server client; do
		date -d "$(openssl x509 -in "$pki/$f.crt" -noout -enddate | cut -d= -f2)" +%s
	done | sort -n | head -n 1)
	echo "$until" >"$pki/.valid-until" 2>/dev/null || true
}

# _tb_scenario_pki_leaf PKI ROLE EKU: key + certificate signed by the CA.
_tb_scenario_pki_leaf() {
	local pki=$1 role=$2 eku=$3
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$pki/$role.key" -out "$pki/$role.csr" -subj "/CN=tb-$role" 2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyAgreement" \
		"extendedKeyUsage=$eku" "subjectKeyIdentifier=hash" >"$pki/$role.ext"
	openssl x509 -req -in "$pki/$role.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days "$TB_SCENARIO_LEAF_DAYS" -sha256 \
		-extfile "$pki/$role.ext" -out "$pki/$role.crt" 2>/dev/null
	rm -f "$pki/$role.csr" "$pki/$role.ext"
}

# tb_scenario_pki CAMPAIGN_DIR: make sure CAMPAIGN_DIR/pki holds a valid PKI.
# Parallel callers on one campaign serialise on a lock file.
tb_scenario_pki() {
	local pki=$1/pki
	mkdir -p "$pki"
	chmod 700 "$pki"
	(
		flock 9
		if _tb_scenario_pki_valid "$pki"; then
			exit 0
		fi
		umask 077
		rm -f "${_tb_scenario_pki_files[@]/#/$pki/}" "$pki/.valid-until"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$pki/ca.key" -out "$pki/ca.crt" -days "$TB_SCENARIO_CA_DAYS" -sha256 \
			-subj "/CN=tb-campaign-ca" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
		_tb_scenario_pki_leaf "$pki" server serverAuth
		_tb_scenario_pki_leaf "$pki" client clientAuth
		openvpn --genkey tls-crypt "$pki/tls-crypt.key" >/dev/null
		_tb_scenario_pki_valid "$pki" || { echo "testbed: error: generated PKI in $pki does not verify" >&2; exit 1; }
		echo "testbed: generated a new PKI in $pki (EC P-256, leaf certificates valid $TB_SCENARIO_LEAF_DAYS days)" >&2
	) 9>"$pki/.lock"
}
