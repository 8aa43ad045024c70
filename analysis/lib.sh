# shellcheck shell=bash
# Sourced by the scripts that read a results database (./testbed report,
# figures, size-queue, REPORT.md): opening it with the views of
# analysis/views.sql, and the SQL that formats numbers for tables. Sources
# scripts/lib.sh; sourcing scripts set -euo pipefail themselves.
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# The schema version views.sql is written for: an older database is
# migrated (by tb-db, as every tool that opens it would) before it is read.
TB_VIEWS_SCHEMA=9

# The database tb_sql reads (set by tb_db_open), and sqlite3 options every
# tb_sql call gets after the views are loaded (e.g. -cmd lines that make
# TEMP tables or views).
tb_db=''
tb_sql_setup=()

# tb_db_version FILE: the schema version of a results database; nothing
# when FILE is not one (missing, not SQLite, or SQLite without a runs table).
tb_db_version() {
	[ -f "$1" ] || return 0
	sqlite3 -readonly "$1" "SELECT user_version FROM pragma_user_version
		WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs')" 2>/dev/null || true
}

# tb_db_open FILE: FILE becomes the database tb_sql reads. Exits 2 when it
# is not a results database; migrates an older one in place.
tb_db_open() {
	local version
	tb_have sqlite3 || tb_die "sqlite3 is missing (./testbed setup)"
	version=$(tb_db_version "$1")
	if [ -z "$version" ]; then
		printf 'testbed: %s is not a results database (made by ./testbed run or sweep)\n' "$1" >&2
		exit 2
	fi
	if [ "$version" -lt "$TB_VIEWS_SCHEMA" ]; then
		[ -x "$TB_BUILD/lib/tb-db" ] || tb_die "$1 has schema v$version, older than v$TB_VIEWS_SCHEMA; build the testbed (./testbed build) to migrate it"
		tb_log "$1 has schema v$version: migrating it to the current schema"
		"$TB_BUILD/lib/tb-db" init "$1"
	fi
	tb_db=$1
}

# tb_sql [SQLITE3_OPTION...] QUERY: QUERY on the database of tb_db_open,
# read-only, with the views loaded; stops at the first error.
tb_sql() {
	sqlite3 -readonly -bail -cmd ".read $TB_ROOT/analysis/views.sql" "${tb_sql_setup[@]}" \
		"${@:1:$#-1}" "$tb_db" "${!#}"
}

# tb_lit TEXT: TEXT as an SQL string literal.
tb_lit() { printf "'%s'" "${1//\'/\'\'}"; }

# tb_campaign_is NAME: an SQL condition on the column campaign, true for
# every row when NAME is empty.
tb_campaign_is() {
	if [ -n "$1" ]; then printf 'campaign = %s' "$(tb_lit "$1")"; else printf '1'; fi
}

# tb_num EXPR DIGITS: SQL printing EXPR with DIGITS decimals, '-' when NULL.
tb_num() { printf "CASE WHEN %s IS NULL THEN '-' ELSE printf('%%.%df', %s) END" "$1" "$2" "$1"; }

# tb_pm MEAN SD DIGITS: SQL printing "mean ± sd"; the mean alone when SD is
# NULL (a single run), '-' when MEAN is.
tb_pm() {
	printf "%s || CASE WHEN %s IS NULL OR %s IS NULL THEN '' ELSE printf(' ± %%.%df', %s) END" \
		"$(tb_num "$1" "$3")" "$1" "$2" "$3" "$2"
}

# The frame deadlines of views.sql's displayable_<N>ms_pct columns, in ms.
TB_DEADLINES_MS=(100 150 200)

# tb_in_time_columns: SQL columns of point_summary, one per deadline N:
# "in time ≤N ms %", the share of frames sent an operator could show within
# N ms of capture (complete, decodable, in by then), mean ± sd.
tb_in_time_columns() {
	local d list=''
	for d in "${TB_DEADLINES_MS[@]}"; do
		list="$list, $(tb_pm "displayable_${d}ms_pct" "displayable_${d}ms_sd" 1) AS 'in time ≤$d ms %'"
	done
	printf '%s' "${list#, }"
}

# tb_varying_settings SOURCE SHOWN...: the settings of a point (the columns
# of point_summary before runs) that are not in SHOWN and take more than one
# value in SOURCE (a FROM clause with its WHERE), as ", name, name", so a
# table shows every setting its rows differ in.
tb_varying_settings() {
	local source=$1 name i list='' names=() tests=() differ=()
	shift
	while read -r name; do
		[ "$name" != runs ] || break
		case " $* " in *" $name "*) continue ;; esac
		names+=("$name")
		tests+=("count(DISTINCT quote($name)) > 1")
	done < <(tb_sql -list "SELECT name FROM pragma_table_info('point_summary') ORDER BY cid")
	[ "${#names[@]}" -gt 0 ] || return 0
	IFS=, read -r -a differ <<<"$(tb_sql -list -separator , "SELECT $(IFS=,; printf '%s' "${tests[*]}") FROM $source")"
	for i in "${!names[@]}"; do
		[ "${differ[$i]}" != 1 ] || list="$list, ${names[$i]}"
	done
	printf '%s' "$list"
}

# tb_same_settings A B EXCEPT...: an SQL condition, true when the rows A and
# B (aliases of point_summary, run_summary or runs) agree, NULL as a value, in
# every setting of a point (the columns of point_summary before runs) but
# the EXCEPT ones: two rows of one experiment.
tb_same_settings() {
	local a=$1 b=$2 name cond='1'
	shift 2
	while read -r name; do
		[ "$name" != runs ] || break
		case " $* " in *" $name "*) continue ;; esac
		cond="$cond AND $a.$name IS $b.$name"
	done < <(tb_sql -list "SELECT name FROM pragma_table_info('point_summary') ORDER BY cid")
	printf '%s' "$cond"
}

# tb_paired_change CAMPAIGN KERNEL PROFILE VPN RING: KERNEL's TCP throughput
# against stock's at one point, the runs paired by repetition with every
# other setting the same; prints tb-bootstrap's "CHANGE% LO% HI% PAIRS"
# (ratio of means, 95 % interval), nothing when there is no valid pair.
tb_paired_change() {
	local campaign=$1 kernel=$2 profile=$3 vpn=$4 ring=$5 pairs
	pairs=$(tb_sql -list -separator ' ' "SELECT s.tcp_mbit_s, p.tcp_mbit_s FROM run_summary s JOIN run_summary p
		ON p.repetition = s.repetition AND $(tb_same_settings s p kernel)
		WHERE s.kernel = 'stock' AND p.kernel = $(tb_lit "$kernel") AND s.traffic = 'tcp' AND s.valid = 1
		AND p.valid = 1 AND s.tcp_mbit_s > 0 AND p.tcp_mbit_s > 0 AND s.profile = $(tb_lit "$profile")
		AND s.vpn = $(tb_lit "$vpn") AND s.ring = $ring AND $(tb_campaign_is "$campaign" | sed 's/campaign/s.campaign/')
		ORDER BY s.repetition")
	[ -n "$pairs" ] || return 0
	printf '%s\n' "$pairs" | "$TB_BUILD/analysis/tb-bootstrap" | awk '{ print $1, $2, $3, $4 }'
}

# tb_paper_ratio CSV VPN KEY: the paper's patched / stock throughput in one
# of datasets/published's TCP tables, at the row whose first column (queue
# or RTT) is KEY; nothing when the table lacks either.
tb_paper_ratio() {
	awk -F, -v v="$2" -v q="$3" 'FNR > 2 && $2 == v && $1 == q { m[$3] = $4 }
		END { if (m["stock"] > 0 && m["patched"] != "") printf "%.2f", m["patched"] / m["stock"] }' "$1"
}

# tb_patched_vs_stock_lines WHERE CAMPAIGN PROFILE VPN RING PREFIX PAPER: one
# Markdown line per patched kernel with valid runs (WHERE, on run_summary) at
# that point: PREFIX, its throughput over stock's with the bootstrap interval
# (tb_paired_change), then "; paper PAPER".
tb_patched_vs_stock_lines() {
	local where=$1 campaign=$2 profile=$3 vpn=$4 ring=$5 prefix=$6 paper=$7 kernel change chg lo hi n
	for kernel in $(tb_sql -list "SELECT DISTINCT kernel FROM run_summary WHERE $where AND kernel != 'stock'
		AND profile = $(tb_lit "$profile") AND vpn = $(tb_lit "$vpn") AND ring = $ring ORDER BY kernel"); do
		change=$(tb_paired_change "$campaign" "$kernel" "$profile" "$vpn" "$ring")
		if [ -z "$change" ]; then
			echo "$prefix$kernel against stock: no valid pair of runs (same repetition and settings)."
			continue
		fi
		read -r chg lo hi n <<<"$change"
		awk -v c="$chg" -v lo="$lo" -v hi="$hi" -v n="$n" -v k="$kernel" -v p="$paper" -v l="$prefix" 'BEGIN {
			printf "%s%s/stock **%.2f×** (95 %% bootstrap interval [%.2f, %.2f]×, %d pairs by repetition); paper %s\n",
				l, k, 1 + c / 100, 1 + lo / 100, 1 + hi / 100, n, p }'
	done
}
