#!/usr/bin/env bash
# cli_run.sh - the quickstart end to end: a table on stdout comparing local
# and cloud, runs and metrics in the database, every request accounted for.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
cd "$tmp"
"$STRATA" run "$STRATA_SRC/configs/quickstart.yaml" --db q.db --log-requests >out.txt 2>err.txt
cat out.txt
# validate prints the largest run's memory bound and the limit
"$STRATA" validate "$STRATA_SRC/configs/quickstart.yaml" >v.txt
grep -qE '^  memory +up to [0-9.]+ [KMG]B \(policy (local|cloud); the limit is [0-9.]+ [KMGT]B\)$' v.txt
grep -qE '^local +[0-9]+ ' out.txt
grep -qE '^cloud +[0-9]+ ' out.txt
grep -q 'SLO met %' out.txt
[ "$(sqlite3 q.db 'select count(*) from runs')" = 2 ]
[ "$(sqlite3 q.db "select count(*) from metrics where name = 'slo_attainment'")" = 2 ]
# the stored config is the full text and its hash is stored with it
[ "$(sqlite3 q.db "select count(*) from runs where length(config_text) > 1000 and length(config_hash) = 16")" = 2 ]
# every request has exactly one outcome, and the per-request rows agree
bad=$(sqlite3 q.db "
  select count(*) from runs r where
    (select value from metrics where run_id = r.id and name = 'requests') !=
    (select sum(value) from metrics where run_id = r.id and name in
       ('requests_met','requests_missed','requests_dropped','requests_unfinished'))
    or (select value from metrics where run_id = r.id and name = 'requests') !=
       (select count(*) from requests where run_id = r.id)")
[ "$bad" = 0 ]
# local never offloads and costs nothing; cloud always offloads and costs
[ "$(sqlite3 q.db "select value from metrics m join runs r on r.id = m.run_id where r.policy = 'local' and m.name = 'offload_fraction'")" = 0.0 ]
[ "$(sqlite3 q.db "select value > 0 from metrics m join runs r on r.id = m.run_id where r.policy = 'cloud' and m.name = 'cost_usd'")" = 1 ]
# a second run of the same configuration replaces, not duplicates
"$STRATA" run "$STRATA_SRC/configs/quickstart.yaml" --db q.db --policy cloud -q >/dev/null
[ "$(sqlite3 q.db 'select count(*) from runs')" = 2 ]
# export works on it
"$STRATA" export --db q.db --csv q.csv
head -1 q.csv | grep -q '^run_key,scenario,policy'
# An IDN policy where nothing can be allocated (one node, which holds the
# only model already) runs: its exact reference is the empty allocation.
mini_scenario one.yaml one-node "10 s" 10 "{up: {mbps: 10}, down: {mbps: 10}}" \
    "{task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}" "[infida, static]"
"$STRATA" run one.yaml --db one.db -q
[ "$(sqlite3 one.db "select count(*) from runs where policy in ('infida', 'static')")" = 2 ]
echo "quickstart end to end ok"
