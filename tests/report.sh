#!/usr/bin/env bash
# report.sh - results that cannot mislead: two configurations of the
# quickstart in one database (the README tour: a run, then the same with
# --set devices.0.count=50) are never averaged by `strata report`; a
# grouping that would pool them is refused naming the key unless --pool,
# which says so; every run records its overrides and a configuration hash
# shared by its seeds; the views and CSVs read plainly.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
cd "$tmp"
lib_fail_exits
q() { sqlite3 study.db "$1"; }
qs=$STRATA_SRC/configs/quickstart.yaml
short=(--set 'duration=120 s' --set 'warmup=10 s')

"$STRATA" run "$qs" "${short[@]}" --db study.db -q >/dev/null
"$STRATA" run "$qs" "${short[@]}" --seed 2 --db study.db -q >/dev/null
"$STRATA" run "$qs" "${short[@]}" --set devices.0.count=50 --db study.db -q >/dev/null

# what makes each run what it is
[ "$(q "select count(*) from runs where overrides like '%devices.0.count=50%'")" = 2 ] \
    || fail "the --set override is not stored"
[ "$(q "select count(*) from run_overrides where key = 'devices.0.count' and value = '50'")" = 2 ]
[ "$(q "select count(*) from run_overrides where key = 'seed'")" = 0 ] \
    || fail "the seed is stored as an override"
[ "$(q "select count(distinct config_hash) from runs")" = 4 ] \
    || fail "expected 4 configurations (2 policies x 2 device counts)"
[ "$(q "select count(distinct config_hash) from runs where seed = 1 or seed = 2 and overrides not like '%50%'")" = 4 ]
[ "$(q "select count(*) from (select config_hash from runs group by config_hash having count(distinct seed) = 2)")" = 2 ] \
    || fail "the two seeds of one configuration do not share its hash"

# the default report: one row per configuration, the count as a column
"$STRATA" report --db study.db >default.txt
cat default.txt
grep -qE '^cloud +- +2 ' default.txt && grep -qE '^cloud +50 +1 ' default.txt \
    || fail "the default report mixes the two device counts"
grep -qE '^local +- +2 ' default.txt && grep -qE '^local +50 +1 ' default.txt

# --by policy would average 16 and 50 devices: refused, naming the key
rc=0; "$STRATA" report --db study.db --by policy >/dev/null 2>err.txt || rc=$?
[ $rc = 2 ] || fail "--by policy over two configurations exited $rc, not 2"
grep -q 'different configurations' err.txt && grep -q 'devices.0.count' err.txt \
    || fail "the refusal does not name the key: $(cat err.txt)"
# --pool does it, and says so
"$STRATA" report --db study.db --by policy --pool >pooled.txt
grep -q '^POOLED (--pool)' pooled.txt && grep -qE '^cloud +3 +2 ' pooled.txt \
    || fail "--pool does not say it pools: $(cat pooled.txt)"
# any configuration key, or the hash, is a column
"$STRATA" report --db study.db --by policy,devices.0.count --format csv >bykey.csv
grep -q '^cloud,50,slo_attainment,1,' bykey.csv
"$STRATA" report --db study.db --by config_hash --format csv --metrics requests >byhash.csv
[ "$(grep -c ',requests,' byhash.csv)" = 4 ]
rc=0; "$STRATA" report --db study.db --by colour 2>err.txt >/dev/null || rc=$?
[ $rc = 2 ] && grep -q 'devices.0.count' err.txt

# numbers print the fewest digits that read back exactly: the SLO 0.4 s
"$STRATA" export --db study.db --csv runs.csv
"$STRATA" run "$qs" "${short[@]}" --db req.db -q --log-requests >/dev/null
"$STRATA" export --db req.db --what requests --csv req.csv
grep -q ',0.4,' req.csv || fail "slo_s does not print as 0.4"
! grep -q '0\.40000000000000002' req.csv runs.csv || fail "%.17g noise in a CSV"
# readable views
[ "$(sqlite3 req.db "select count(*) from requests_named where model is null and outcome in ('met', 'missed')")" = 0 ]
sqlite3 req.db "select distinct device_class from requests_named" | grep -q pixel3-lte
[ "$(q "select count(*) from run_summary where \"devices.0.count\" = '50' and slo_attainment > 0")" = 2 ]
# no per-request rows: say how to get them
rc=0; "$STRATA" export --db study.db --what requests >/dev/null 2>err.txt || rc=$?
[ $rc = 2 ] && grep -q -- '--log-requests' err.txt || fail "export of absent requests: $(cat err.txt)"
# a percentile censored in one seed (stored as NULL) is never averaged
# over the other seeds: the cell says how many runs it is censored in
cp study.db cens.db
sqlite3 cens.db "update metrics set value = null where name = 'latency_p95_ms' and run_id = (select min(id) from runs where policy = 'cloud' and overrides not like '%50%')"
"$STRATA" report --db cens.db >cens.txt
grep -qE '^cloud +- +2 .*>drain in 1/2' cens.txt || fail "a censored seed is hidden: $(cat cens.txt)"
"$STRATA" report --db cens.db --format csv --metrics latency_p95_ms >cens.csv
grep -qE '^cloud,,latency_p95_ms,1,,,,,,1,1$' cens.csv \
    || fail "the CSV averages the survivors: $(cat cens.csv)"
echo "report ok"
