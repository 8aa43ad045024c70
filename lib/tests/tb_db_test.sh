#!/usr/bin/env bash
# tb-db from the shell: run rows, counters, samples, merging run databases
# into a campaign (ids remapped, child rows follow), resume keys, bad input.
set -euo pipefail
db=${1:?usage: tb_db_test.sh PATH/TO/tb-db}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/check.sh"

"$db" init "$dir/c.db"
expect "init creates a store" "$("$db" query "$dir/c.db" "SELECT count(*) FROM runs")" 0

# Two run databases, as two guest runs would leave them.
for i in 1 2; do
	id=$("$db" run-new "$dir/r$i.db" campaign=ci kind=video ring=$((i * 25)) qdisc="pfifo limit 25000" \
		point_key="k$i" cpu_busy_pct=41.5 profile=)
	expect "first run id in r$i" "$id" 1
	printf 'ring tx_dropped 10 %d\nqdisc dropped 0 0\n' $((10 + i)) | "$db" rows "$dir/r$i.db" "$id" counters place,name,before,after 2>/dev/null
	printf '1000 backlog_pkts 3 pkts\n2000 backlog_pkts 4\n' | "$db" rows "$dir/r$i.db" "$id" samples t_ns,name,value,unit 2>/dev/null
	"$db" run-set "$dir/r$i.db" "$id" status=done valid=1
done
"$db" run-new "$dir/c.db" campaign=other kind=tcp point_key=x status=done >/dev/null

"$db" import "$dir/c.db" "$dir/r1.db" "$dir/r2.db" 2>/dev/null
expect "runs after import" "$("$db" query "$dir/c.db" "SELECT count(*) FROM runs")" 3
expect "imported ids are new" "$("$db" query "$dir/c.db" "SELECT group_concat(id) FROM runs WHERE campaign='ci'")" "2,3"
expect "values keep their types" "$("$db" query "$dir/c.db" "SELECT typeof(ring), typeof(cpu_busy_pct), typeof(qdisc), typeof(profile) FROM runs WHERE id=2")" "$(printf 'integer\treal\ttext\tnull')"
expect "counters follow their run" "$("$db" query "$dir/c.db" "SELECT run_id, after FROM counters WHERE place='ring' ORDER BY run_id" | tr '\t\n' ' ')" "2 11 3 12 "
expect "samples follow, unit optional" "$("$db" query "$dir/c.db" "SELECT count(*), count(unit) FROM samples WHERE run_id=3")" "$(printf '2\t1')"
expect "done keys of a campaign" "$("$db" done-keys "$dir/c.db" ci | tr '\n' ' ')" "k1 k2 "
"$db" import "$dir/c.db" "$dir/r1.db" 2>/dev/null
expect "a finished run imported twice is kept once" "$("$db" query "$dir/c.db" "SELECT count(*) FROM runs WHERE campaign='ci'")" 2

set +e
"$db" run-new "$dir/c.db" no_such_column=1 >/dev/null 2>"$dir/err"; rc=$?
expect "unknown column exits 2" "$rc" 2
expect "unknown column named" "$(grep -c "no settable column 'no_such_column'" "$dir/err")" 1
"$db" run-set "$dir/c.db" 99 status=done 2>"$dir/err"; rc=$?
expect "missing run id fails" "$rc" 1
expect "missing run named" "$(grep -c 'no run with id 99' "$dir/err")" 1
printf 'ring tx_dropped 1 2 3\n' | "$db" rows "$dir/c.db" 2 counters place,name,before,after 2>"$dir/err"; rc=$?
expect "long row line fails" "$rc" 1
expect "long row line named" "$(grep -c 'stdin line 1: 5 fields for 4 columns' "$dir/err")" 1
"$db" rows "$dir/c.db" 2 "counters;drop" place 2>"$dir/err" </dev/null; rc=$?
expect "bad table name exits 2" "$rc" 2
echo "not a database, only some text to fill the header of a file" >"$dir/bad.db"
"$db" import "$dir/c.db" "$dir/bad.db" 2>"$dir/err"; rc=$?
expect "importing garbage fails" "$rc" 1
"$db" query "$dir/c.db" "INSERT INTO runs(kind) VALUES('x')" 2>/dev/null; rc=$?
expect "query is read-only" "$rc" 1
set -e
expect "failed import left runs alone" "$("$db" query "$dir/c.db" "SELECT count(*) FROM runs")" 3

tb_summary
