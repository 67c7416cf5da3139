#!/usr/bin/env bash
# sweep.sh - strata sweep end to end: the export does not depend on --jobs;
# --dry-run lists without running; a sweep whose worker or whose parent is
# killed with SIGKILL, or that is interrupted with SIGINT, leaves a sound
# database, and re-running it runs exactly the missing points and ends with
# the export of an uninterrupted sweep; invalid points are stored as
# failed; shards of a job array merge into the same study; report and
# capacity work on it.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
cd "$tmp"

lib_fail_exits
q() { sqlite3 -cmd '.timeout 5000' "$@"; }

# 40 points, each long enough that a sweep is still going when we kill it.
cat >study.yaml <<EOF
name: study
base: $STRATA_SRC/configs/quickstart.yaml
set: {duration: 2400 s}
grid:
  devices.0.count: [6, 12, 18, 24, 30]
  devices.1.workload.slo_ms: [300, 500]
seeds: [1, 2]
policies: [local, cloud]
EOF
total=40

# Waits (up to 60 s) until the database holds at least $2 runs.
wait_runs() {
    for _ in $(seq 600); do
        n=$(q "$1" 'select count(*) from runs' 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$2" ] && return 0
        sleep 0.1
    done
    fail "$1 never reached $2 runs"
}

# The live (not zombie) strata processes whose parent is $1, from /proc so
# the test needs no procps.
children() {
    # cat, not awk on the files: an awk may stop at the first process that
    # exits while the list is read.
    cat /proc/[0-9]*/stat 2>/dev/null |
        awk -v p="$1" '$2 == "(strata)" && $4 == p && $3 != "Z" { print $1 }' || true
}

# The same, polled for up to 10 s: between one point's worker exiting and
# the next one's fork there may be a moment with none.
live_children() {
    for _ in $(seq 100); do
        c=$(children "$1")
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.1
    done
}

alive() {
    awk '$3 != "Z" { found = 1 } END { exit !found }' "/proc/$1/stat" 2>/dev/null
}

check_sound() {
    [ "$(q "$1" 'pragma integrity_check')" = ok ] || fail "$1 is corrupt"
}

# ---- reference, and --jobs independence -----------------------------------
"$STRATA" sweep study.yaml --dry-run --db ref.db >dry.txt
[ ! -e ref.db ] || fail "--dry-run created the database"
[ "$(grep -c ' to-run ' dry.txt)" = $total ] || fail "dry run: expected $total to run"
grep -q "sweep study: $total points, 0 stored" dry.txt

"$STRATA" sweep study.yaml --jobs 1 --db ref.db >out1.txt 2>err1.txt
grep -q "$total ran, 0 already stored, 0 failed" out1.txt
"$STRATA" export --db ref.db --csv ref.csv
head -1 ref.csv | grep -q '^run_key,scenario,policy,params,seed,devices.0.count,devices.1.workload.slo_ms,status,metric,value$' \
    || fail "export header lacks the parameter columns: $(head -1 ref.csv)"

"$STRATA" sweep study.yaml --jobs 2 --db j2.db -q >/dev/null
"$STRATA" export --db j2.db --csv j2.csv
cmp ref.csv j2.csv || fail "--jobs 2 exported differently from --jobs 1"

# Nothing left to do: the same command runs nothing.
"$STRATA" sweep study.yaml --jobs 2 --db ref.db -q >again.txt
grep -q "0 ran, $total already stored" again.txt
"$STRATA" sweep study.yaml --dry-run --db ref.db | grep -q "$total stored in ref.db, 0 to run"

# ---- a worker killed mid-way ----------------------------------------------
"$STRATA" sweep study.yaml --jobs 2 --db kw.db -q >kw.txt 2>kw.err &
pid=$!
wait_runs kw.db 5
worker=$(live_children $pid | head -1)
[ -n "$worker" ] || fail "no worker process found"
kill -9 "$worker"
rc=0; wait $pid || rc=$?
[ $rc = 1 ] || fail "a sweep with a crashed point should exit 1, got $rc"
check_sound kw.db
[ "$(q kw.db "select count(*) from runs where status = 'failed' and message like '%killed by signal 9%'")" = 1 ] \
    || fail "the killed worker's point is not stored as failed"
[ "$(q kw.db "select count(*) from runs where status = 'ok'")" = $((total - 1)) ]
grep -q 'failed: the worker running this point was killed' kw.err
"$STRATA" sweep study.yaml --jobs 2 --db kw.db -q >kw2.txt
grep -q "1 ran, $((total - 1)) already stored, 0 failed" kw2.txt || fail "resume: $(cat kw2.txt)"
"$STRATA" export --db kw.db --csv kw.csv
cmp ref.csv kw.csv || fail "export after a worker crash and resume differs"

# ---- the parent killed mid-way --------------------------------------------
"$STRATA" sweep study.yaml --jobs 2 --db kp.db -q >/dev/null 2>&1 &
pid=$!
wait_runs kp.db 10
workers=$(live_children $pid)
[ -n "$workers" ] || fail "no worker processes found"
kill -9 $pid
wait $pid 2>/dev/null || true
sleep 0.5
for w in $workers; do
    ! alive "$w" || fail "worker $w outlived its parent"
done
check_sound kp.db
stored=$(q kp.db "select count(*) from runs where status = 'ok'")
[ "$(q kp.db "select count(*) from runs where status <> 'ok'")" = 0 ]
[ "$stored" -ge 10 ] && [ "$stored" -lt $total ] || fail "stored $stored"
"$STRATA" sweep study.yaml --dry-run --db kp.db | grep -q "$stored stored in kp.db, $((total - stored)) to run"
"$STRATA" sweep study.yaml --jobs 2 --db kp.db -q >kp2.txt
grep -q "$((total - stored)) ran, $stored already stored, 0 failed" kp2.txt || fail "resume: $(cat kp2.txt)"
"$STRATA" export --db kp.db --csv kp.csv
cmp ref.csv kp.csv || fail "export after a parent kill and resume differs"

# ---- Ctrl-C ---------------------------------------------------------------
"$STRATA" sweep study.yaml --jobs 2 --db ki.db -q >/dev/null 2>ki.err &
pid=$!
wait_runs ki.db 5
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "an interrupted sweep should exit 130, got $rc"
grep -q 'interrupted' ki.err
check_sound ki.db
[ "$(q ki.db "select count(*) from runs where status <> 'ok'")" = 0 ] || fail "SIGINT stored a failure"
"$STRATA" sweep study.yaml --jobs 2 --db ki.db -q >/dev/null
"$STRATA" export --db ki.db --csv ki.csv
cmp ref.csv ki.csv || fail "export after SIGINT and resume differs"

# ---- job-array shards, merged --------------------------------------------
"$STRATA" sweep study.yaml --shard 0/3 --jobs 1 --db s0.db -q >/dev/null
"$STRATA" sweep study.yaml --shard 1/3 --jobs 1 --db s1.db -q >/dev/null
"$STRATA" sweep study.yaml --shard 2/3 --jobs 1 --db s2.db -q >/dev/null
[ "$(q s0.db 'select count(*) from runs')" = 14 ]
"$STRATA" merge --db merged.db s0.db s1.db s2.db -q
"$STRATA" export --db merged.db --csv merged.csv
cmp ref.csv merged.csv || fail "merged shards differ from one sweep"

# ---- invalid points are stored as failed, and the rest run ------------------
cat >bad.yaml <<EOF
base: $STRATA_SRC/configs/quickstart.yaml
set: {duration: 120 s, warmup: 10 s}
grid:
  devices.0.count: [4, -1, 8]
policies: [local]
EOF
rc=0; "$STRATA" sweep bad.yaml --jobs 2 --db bad.db -q >bad.txt 2>bad.err || rc=$?
[ $rc = 1 ] || fail "a sweep with an invalid point should exit 1, got $rc"
grep -q '2 ran, 0 already stored, 1 failed' bad.txt
[ "$(q bad.db "select count(*) from runs r join run_params p on p.run_id = r.id where r.status = 'failed' and p.value = '-1' and r.message like '%count%'")" = 1 ]
grep -q 'point 1 (devices.0.count=-1 policy=local seed=1) failed' bad.err
"$STRATA" export --db bad.db | grep -q ',-1,failed,,$'
"$STRATA" sweep bad.yaml --dry-run --db bad.db | grep -q 'point 1 is invalid'

# ---- a report of the study -------------------------------------------------
# --by policy would average the grid's configurations: refused, naming an
# axis, unless --pool, which says so and counts them
rc=0; "$STRATA" report --db ref.db --by policy >report.txt 2>report.err || rc=$?
[ $rc = 2 ] || fail "report --by policy over a grid should exit 2, got $rc"
grep -q 'different configurations' report.err && grep -q 'devices\.' report.err
"$STRATA" report --db ref.db --by policy --pool >report.txt
grep -q '^POOLED' report.txt
grep -qE '^local +20 ' report.txt && grep -qE '^cloud +20 ' report.txt
"$STRATA" report --db ref.db --format csv --metrics slo_attainment >report.csv
[ "$(wc -l <report.csv)" = 21 ] || fail "expected 20 groups of seeds"

# ---- capacity ---------------------------------------------------------------
"$STRATA" capacity "$STRATA_SRC/configs/quickstart.yaml" --target 0.8 \
    --policy local --set 'duration=120 s' --set 'warmup=10 s' >cap.txt
grep -qE '^local +[0-9.]+ +[0-9.]+ +[0-9.]+ +0\.(8|9)[0-9]* +[0-9]+$' cap.txt \
    || fail "capacity: $(cat cap.txt)"
rc=0; "$STRATA" capacity "$STRATA_SRC/configs/quickstart.yaml" 2>/dev/null || rc=$?; [ $rc = 2 ]

# ---- usage -----------------------------------------------------------------
"$STRATA" sweep --help | grep -q 'usage: strata sweep'
rc=0; "$STRATA" sweep nosuch.yaml 2>/dev/null || rc=$?; [ $rc = 2 ]
rc=0; "$STRATA" sweep study.yaml --shard 2/2 2>/dev/null || rc=$?; [ $rc = 2 ]
printf 'base: %s\ngrid: {devices.0.count: 3}\n' "$STRATA_SRC/configs/quickstart.yaml" >typo.yaml
rc=0; "$STRATA" sweep typo.yaml 2>typo.err || rc=$?
[ $rc = 2 ] && grep -q 'typo.yaml:2:25: expected a list' typo.err

echo "sweep ok"
