#!/usr/bin/env bash
# bad_inputs.sh - hostile and malformed inputs (scenarios, traces, sweeps,
# databases, arguments): every case in tests/bad/cases.txt, the
# regressions the fuzzers left in tests/bad/fuzz/, and inputs too big or
# too odd to commit (a 100 MB line, a directory, a missing file, limits on
# models, nodes, devices and requests, broken results databases, bad
# arguments), generated here.
#
# Each case must exit 2 within the time limit with a message that matches
# its pattern (file, line where there is one, what was expected), with no
# crash (no exit >= 128, no sanitizer report) and no run left in the
# database given with --db.  Fuzz regressions only have to not crash or
# hang (they may have become valid inputs once the bug was fixed).
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
bad="$STRATA_SRC/tests/bad"
lib_tmp
limit=${STRATA_BAD_TIMEOUT:-60}
lib_fails
tried=0 crashes=0 hangs=0

# invoke WANT PATTERN -- ARGS...: runs strata once and checks the outcome.
# WANT is an exit code, "0or2" for a fuzz regression, or "any" (no crash
# or hang).
invoke() {
    local want=$1 pattern=$2
    shift 3
    tried=$((tried + 1))
    timeout -k 5 "$limit" "$STRATA" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local got=$?
    local what="strata $*"
    what=${what//$STRATA_SRC\//}
    what=${what//$tmp\//}
    if [ "$got" = 124 ] || [ "$got" = 137 ]; then
        hangs=$((hangs + 1))
        fail "$what: no answer within $limit s"
        return
    fi
    if [ "$got" -ge 128 ] || grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$tmp/err"; then
        crashes=$((crashes + 1))
        fail "$what: crashed (exit $got)"
        head -20 "$tmp/err" | sed 's/^/    /'
        return
    fi
    if [ "$want" = 0or2 ]; then
        [ "$got" = 0 ] || [ "$got" = 2 ] || fail "$what: exit $got (want 0 or 2)"
        return
    fi
    [ "$want" = any ] && return   # no crash or hang is all that is asked
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got (want $want)"
        head -5 "$tmp/err" | sed 's/^/    /'
        return
    fi
    if [ -n "$pattern" ] && ! LC_ALL=C grep -qE -- "$pattern" "$tmp/err"; then
        fail "$what: message does not match /$pattern/"
        head -5 "$tmp/err" | sed 's/^/    /'
        return
    fi
    echo "ok: $what -> $got: $(head -c 200 "$tmp/err" | head -1)"
}

# no_runs DB: a rejected input left no run behind.
no_runs() {
    [ -f "$1" ] || return 0
    local n
    n=$(sqlite3 "$1" 'select count(*) from runs' 2>/dev/null || echo 0)
    [ "$n" = 0 ] || fail "$(basename "$1"): a rejected input left $n run(s) in the database"
}

# scenario_case FILE PATTERN ARGS...: validate, then run into a database.
scenario_case() {
    local file=$1 pattern=$2
    shift 2
    rm -f "$tmp/runs.db"*
    invoke 2 "$pattern" -- validate "$@" "$file"
    invoke 2 "$pattern" -- run -q --db "$tmp/runs.db" "$@" "$file"
    no_runs "$tmp/runs.db"
}


# A scenario using TRACE for the uplink of its access link.
trace_scenario() {
    mini_scenario "$tmp/with-trace.yaml" with-trace "20 s" 1 \
        "{up: {trace: \"$1\"}, down: {mbps: 10}, rtt_ms: 40}" \
        "{task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}" cloud
}

# trace_case FILE PATTERN ARGS...: info, import (which must leave no
# output file), and, with no extra args, a scenario naming the trace.
trace_case() {
    local file=$1 pattern=$2
    shift 2
    invoke 2 "$pattern" -- trace info "$file" "$@"
    rm -f "$tmp/imported.txt"
    invoke 2 "$pattern" -- trace import "$file" -o "$tmp/imported.txt" "$@"
    [ ! -e "$tmp/imported.txt" ] || fail "trace import $(basename "$file") left an output file"
    if [ $# = 0 ]; then
        trace_scenario "$file"
        scenario_case "$tmp/with-trace.yaml" "with-trace.yaml:15:[0-9]+: .*$pattern"
    fi
}

# sweep_case FILE PATTERN ARGS...: a dry run, then a real one into a
# database (one worker, so a bug cannot hide in a worker process).
sweep_case() {
    local file=$1 pattern=$2
    shift 2
    rm -f "$tmp/runs.db"*
    invoke 2 "$pattern" -- sweep --dry-run --db "$tmp/runs.db" "$@" "$file"
    invoke 2 "$pattern" -- sweep -q -j 1 --db "$tmp/runs.db" "$@" "$file"
    no_runs "$tmp/runs.db"
}

# ---- the committed cases -------------------------------------------------
ncases=0
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    file=${line%% | *}
    rest=${line#* | }
    if [[ $rest == '| '* ]]; then   # no extra arguments
        args=''
        pattern=${rest#| }
    else
        args=${rest%% | *}
        pattern=${rest#* | }
    fi
    [ -n "$pattern" ] || fail "cases.txt: $file has no pattern"
    read -r -a argv <<<"$args"
    ncases=$((ncases + 1))
    case "$file" in
        scenario/*) scenario_case "$bad/$file" "$pattern" "${argv[@]}" ;;
        trace/*) trace_case "$bad/$file" "$pattern" "${argv[@]}" ;;
        sweep/*) sweep_case "$bad/$file" "$pattern" "${argv[@]}" ;;
        *) fail "cases.txt: no rule for '$file'" ;;
    esac
done <"$bad/cases.txt"
[ "$ncases" -ge 40 ] || fail "cases.txt lists only $ncases cases"
# A file added under tests/bad/ without a line in cases.txt would go
# untested.
for f in "$bad"/scenario/* "$bad"/trace/* "$bad"/sweep/*; do
    rel=${f#"$bad"/}
    grep -qF "$rel | " "$bad/cases.txt" || fail "tests/bad/$rel has no line in cases.txt"
done

# Regressions found by fuzz/run: must not crash or hang.  They are replayed
# as the harnesses ran them: a scenario from a directory beside traces/
# (the harness resolves paths against configs/) with its leading
# "#set PATH=VALUE" lines as overrides, and run if it came from fuzz_run;
# a sweep from a directory where ../configs, ../../configs and
# ../../../configs all exist; a trace in the format its name starts with.
mkdir -p "$tmp/replay/configs"
ln -s "$STRATA_SRC/traces" "$tmp/replay/traces"
for f in "$bad"/fuzz/scenario/*; do
    [ -e "$f" ] || continue
    ncases=$((ncases + 1))
    cp "$f" "$tmp/replay/configs/case.yaml"
    sets=()
    while IFS= read -r l; do
        case "$l" in '#set '*) sets+=(--set "${l#\#set }") ;; *) break ;; esac
    done <"$f"
    invoke 0or2 '' -- validate "${sets[@]}" "$tmp/replay/configs/case.yaml"
done
for f in "$bad"/fuzz/run/*; do
    [ -e "$f" ] || continue
    ncases=$((ncases + 1))
    cp "$f" "$tmp/replay/configs/case.yaml"
    invoke 0or2 '' -- run -q --no-db "$tmp/replay/configs/case.yaml"
done
mkdir -p "$tmp/replay/a/b/c"
for d in "$tmp/replay/a" "$tmp/replay/a/b" "$tmp/replay/a/b/c"; do
    ln -s "$STRATA_SRC/configs" "$d/configs"
    ln -s "$STRATA_SRC/traces" "$d/traces"
done
for f in "$bad"/fuzz/sweep/*; do
    [ -e "$f" ] || continue
    ncases=$((ncases + 1))
    cp "$f" "$tmp/replay/a/b/c/sweep.yaml"
    invoke 0or2 '' -- sweep --dry-run --db "$tmp/replay.db" "$tmp/replay/a/b/c/sweep.yaml"
done
for f in "$bad"/fuzz/trace/*; do
    [ -e "$f" ] || continue
    ncases=$((ncases + 1))
    case "$(basename "$f")" in
        csv_timed-*) opts=(--format csv --time-column time_s) ;;
        *) opts=(--format "$(basename "$f" | cut -d- -f1)") ;;
    esac
    invoke 0or2 '' -- trace info "${opts[@]}" "$f"
done

# Regressions of the file harnesses (fuzz_file.c, fuzz_params.c), replayed
# through the command that reads such a file.
replay_file() {   # KIND FILE
    local f=$2
    case $1 in
        params) invoke 0or2 '' -- validate "$f" ;;
        arrivals) cp "$f" "$tmp/replay/times.txt"
            mini_scenario "$tmp/replay/s.yaml" r "10 s" 1 "{up: {mbps: 10}, down: {mbps: 10}}" \
                "{task: cls, arrival: {process: file, file: times.txt}, slo_ms: 300}" cloud
            invoke 0or2 '' -- validate "$tmp/replay/s.yaml" ;;
        empirical) cp "$f" "$tmp/replay/rtt.csv"
            mini_scenario "$tmp/replay/s.yaml" r "10 s" 1 \
                "{up: {mbps: 10}, down: {mbps: 10}, rtt: {dist: empirical, file: rtt.csv, column: rtt_ms}}" \
                "{task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}" cloud
            invoke 0or2 '' -- validate "$tmp/replay/s.yaml" ;;
        expected) invoke any '' -- check "$STRATA_SRC/experiments/regression.yaml" --expect "$f" ;;
        profile_csv) invoke 0or2 '' -- profile import --from tflite-csv "$f" -o "$tmp/replay/hw.yaml" ;;
        profile_json) invoke 0or2 '' -- profile import --from mlperf-mobile "$f" -o "$tmp/replay/hw.yaml" ;;
        profile_yaml) mkdir -p "$tmp/replay/hub" && cp "$f" "$tmp/replay/hub/perf.yaml"
            invoke 0or2 '' -- profile import --from ai-hub "$tmp/replay/hub/perf.yaml" -o "$tmp/replay/hw.yaml" ;;
    esac
}
for kind in params arrivals empirical expected profile_csv profile_json profile_yaml; do
    for f in "$bad/fuzz/$kind"/*; do
        [ -e "$f" ] || continue
        ncases=$((ncases + 1))
        replay_file "$kind" "$f"
    done
done

# ---- generated cases -----------------------------------------------------
gen() { ncases=$((ncases + 1)); }

gen; scenario_case "$tmp/no-such.yaml" 'no-such.yaml: cannot open: No such file'
mkdir "$tmp/a-directory.yaml"
gen; scenario_case "$tmp/a-directory.yaml" 'a-directory.yaml: is a directory; expected a YAML text file'
gen; trace_case "$tmp/no-such-trace.txt" 'no-such-trace.txt.*(: cannot open: No such file|does not exist)'
mkdir "$tmp/trace-dir"
gen; invoke 2 'trace-dir: is a directory; expected a text trace file' -- trace info "$tmp/trace-dir"

# A 100 MB line, as a scenario (over the file size limit) and through a
# pipe (no size to check up front), and as a trace.
head -c 100000000 /dev/zero | tr '\0' 'a' >"$tmp/line-100mb.yaml"
gen; scenario_case "$tmp/line-100mb.yaml" 'line-100mb.yaml: file larger than 64 MB'
gen; invoke 2 'file larger than 64 MB' -- validate <(head -c 100000000 /dev/zero | tr '\0' 'a')
mv "$tmp/line-100mb.yaml" "$tmp/line-100mb.txt"
gen; trace_case "$tmp/line-100mb.txt" 'line-100mb.txt:1: line is longer than 64 KiB'
rm -f "$tmp/line-100mb.txt"
gen; invoke 2 '/dev/zero: is a character device; expected a text trace file' -- trace info /dev/zero

# Flow nesting 2 million deep: refused at the limit, not after parsing.
{ printf 'name: deep\ndescription: '; head -c 2000000 /dev/zero | tr '\0' '['; echo; } >"$tmp/deep.yaml"
gen; scenario_case "$tmp/deep.yaml" 'deep.yaml:2:77: nesting deeper than 64 levels'

# A base scenario for the size limits: N models, M nodes, devices x rate.
limits_scenario() {   # models nodes count rate duration
    {
        echo "name: limits"
        echo "duration: $5 s"
        echo "models:"
        awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: m%d, task: cls, accuracy: 0.5}\n", i }'
        echo "hardware:"
        echo "  - name: hw"
        echo "    profiles: {m0: {exec_ms: 5}}"
        echo "nodes:"
        echo "  - {name: cloud, hardware: hw}"
        # (only the count matters past the limit, so those entries are empty)
        awk -v n="$2" 'BEGIN { for (i = 1; i < n; i++) print "  - {}" }'
        echo "devices:"
        echo "  - {name: a, count: $3, hardware: hw, attach: cloud, link: {up: {mbps: 1}, down: {mbps: 1}}, workload: {task: cls, arrival: {process: poisson, rate_per_s: $4}, slo_ms: 100}}"
        echo "  - {name: b, count: $3, hardware: hw, attach: cloud, link: {up: {mbps: 1}, down: {mbps: 1}}, workload: {task: cls, arrival: {process: poisson, rate_per_s: $4}, slo_ms: 100}}"
        echo "policy: cloud"
    } >"$tmp/limits.yaml"
}
limits_scenario 4097 1 1 1 10
gen; scenario_case "$tmp/limits.yaml" 'limits.yaml:4:3: more than 4096 models'
limits_scenario 1 100001 1 1 10
gen; scenario_case "$tmp/limits.yaml" 'limits.yaml:9:3: more than 100000 nodes'
limits_scenario 1 1 6000000 0.00001 10
gen; scenario_case "$tmp/limits.yaml" 'limits.yaml:[0-9]+:5: more than 10000000 devices in all'
limits_scenario 20 1 4000000 0.00001 10
gen; scenario_case "$tmp/limits.yaml" 'limits.yaml:[0-9]+:3: 8000000 devices and 1 nodes with 20 models need 1.6e\+08 per-model states, more than the limit'
limits_scenario 1 1 1000000 1000 100000
gen; scenario_case "$tmp/limits.yaml" 'limits.yaml:[0-9]+:3: the workload implies about 2e\+14 requests'

# More YAML nodes than the loader keeps: 2,000,001 list items in 4 MB
# (checked once: loading them takes seconds under the sanitizers).
{ printf 'name: many\ndescription: ['; head -c 2000000 /dev/zero | tr '\0' '0' | sed 's/./0,/g'; echo '0]'; } >"$tmp/many.yaml"
gen; invoke 2 'many.yaml: more than 2000000 YAML nodes' -- validate "$tmp/many.yaml"

# Long keys: 1000 characters (quoted in the message, cut to fit) and 1 MB
# (longer than YAML allows a plain key).
{ printf 'name: x\n'; head -c 1000 /dev/zero | tr '\0' 'k'; printf ': 1\n'; } >"$tmp/long-key.yaml"
gen; scenario_case "$tmp/long-key.yaml" "long-key.yaml:2:1: unknown key 'kkkk"
{ printf 'name: x\n'; head -c 1000000 /dev/zero | tr '\0' 'k'; printf ': 1\n'; } >"$tmp/huge-key.yaml"
gen; scenario_case "$tmp/huge-key.yaml" "huge-key.yaml:2:[0-9]+: invalid YAML: could not find expected ':'"

# ---- bad results databases and arguments -----------------------------------
good="$STRATA_SRC/configs/quickstart.yaml"
mkdir "$tmp/db-dir"
gen; invoke 2 'db-dir: is a directory, not a results database' -- run -q --db "$tmp/db-dir" "$good"
echo "this is not a database" >"$tmp/text.db"
gen; invoke 2 'text.db: .*not a (SQLite )?database' -- run -q --db "$tmp/text.db" "$good"
gen; invoke 2 'text.db: .*not a (SQLite )?database' -- export --db "$tmp/text.db"
sqlite3 "$tmp/other.db" 'create table t(x)'
gen; invoke 2 'other.db: is a SQLite database but not a strata results database' -- run -q --db "$tmp/other.db" "$good"
[ "$(sqlite3 "$tmp/other.db" "select count(*) from sqlite_master")" = 1 ] || fail "strata changed another program's database"
gen; invoke 2 'no-dir/r.db: cannot open' -- run -q --db "$tmp/no-dir/r.db" "$good"
gen; invoke 2 'missing.db: no such results database' -- export --db "$tmp/missing.db"
gen; invoke 2 "unknown policy 'nope'" -- run -q --no-db --policy nope "$good"
gen; invoke 2 "policy 'local' named twice" -- run -q --no-db --policy local,local "$good"
gen; invoke 2 'expected one or more policy names' -- run -q --no-db --policy , "$good"
gen; invoke 2 'duration: expected a number > 0' -- trace synth --preset lte --seed 1 --duration -5 -o "$tmp/s.txt"
gen; invoke 2 "option '--db' needs a value" -- run "$good" --db
gen; invoke 2 "override 'name=.*': expected UTF-8 text" -- validate --set $'name=\xc8' "$good"
gen; invoke 2 "override 'na.*me=x': expected UTF-8 text" -- validate --set $'na\xc8me=x' "$good"
gen; invoke 2 "seed: expected a non-negative whole number, got '1e3'" -- run -q --no-db --seed 1e3 "$good"
gen; invoke 2 "seed: expected a non-negative whole number" -- run -q --no-db --seed 99999999999999999999999 "$good"

# ---- sizes computed from input, memory, out of memory ------------------------
# A scenario with one class of COUNT devices whose workload is W (YAML).
sized_scenario() {   # duration count workload
    mini_scenario "$tmp/sized.yaml" sized "$1" "$2" "{up: {mbps: 10}, down: {mbps: 10}}" \
        "$3" "[cloud, infida]"
}
yes 0 | head -1000000 >"$tmp/zeros.txt"
sized_scenario "10 s" 1 "{task: cls, arrival: {process: file, file: zeros.txt}, slo_ms: 300}"
# A million arrivals at t = 0 are all in flight at once.
gen; STRATA_MEMORY_LIMIT_MB=100 scenario_case "$tmp/sized.yaml" "sized.yaml:17:17: the run of policy 'infida' \\(1 device\\) would need up to [0-9.]+ [MG]B of memory, more than the limit of 100 MB \\(STRATA_MEMORY_LIMIT_MB=100\\); the largest part is [0-9.]+ [MG]B for requests in flight; expected a smaller scenario or a higher STRATA_MEMORY_LIMIT_MB"
# Running out anyway: a clear message and exit 3, never an abort.  Ten
# million arrival times need 80 MB: under AddressSanitizer allocations
# above 16 MB fail, otherwise the address space is limited to 150 MB.
yes 0 | head -10000000 >"$tmp/zeros.txt"
if ldd "$STRATA" 2>/dev/null | grep -q libasan; then
    gen; ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1:max_allocation_size_mb=16" \
        invoke 3 'strata: out of memory: could not allocate [0-9.]+ MB .*for a growing array \(src/config/workload.c:[0-9]+\)' -- validate "$tmp/sized.yaml"
else
    printf '#!/bin/sh\nulimit -v 150000\nexec "%s" "$@"\n' "$STRATA" >"$tmp/limited"
    chmod +x "$tmp/limited"
    real=$STRATA
    STRATA=$tmp/limited
    gen; invoke 3 'strata: out of memory: could not allocate [0-9.]+ MB .*for a growing array \(src/config/workload.c:[0-9]+\)' -- validate "$tmp/sized.yaml"
    STRATA=$real
fi
# Ten million idle devices: some 2.4 GB, most of it their pending
# arrivals in the event queue (neither policy keeps anything per device).
sized_scenario "10 s" 10000000 "{task: cls, arrival: {process: poisson, rate_per_s: 0.00001}, slo_ms: 300}"
gen; STRATA_MEMORY_LIMIT_MB=1000 scenario_case "$tmp/sized.yaml" "sized.yaml:17:17: the run of policy 'infida' \\(10000000 devices\\) would need up to 2\\.[0-9]+ GB of memory, more than the limit of 1 GB .*the largest part is 1\\.[0-9]+ GB for the devices' pending arrivals"
# A sweep's points run --jobs at a time: a million idle devices fit the
# limit one run at a time, two at once do not; nothing is stored.
sized_scenario "10 s" 1000000 "{task: cls, arrival: {process: poisson, rate_per_s: 0.00001}, slo_ms: 300}"
printf 'base: sized.yaml\nseeds: [1, 2]\npolicies: [cloud]\n' >"$tmp/sized-sweep.yaml"
rm -f "$tmp/runs.db"*
gen; STRATA_MEMORY_LIMIT_MB=400 invoke 2 "sized-sweep.yaml: 2 runs at once would need up to [0-9.]+ MB of memory, more than the limit of 400 MB \\(STRATA_MEMORY_LIMIT_MB=400\\); the largest run alone needs up to 2[0-9.]+ MB" \
    -- sweep -q -j 2 --db "$tmp/runs.db" "$tmp/sized-sweep.yaml"
[ ! -e "$tmp/runs.db" ] || fail "a sweep refused for its memory created its database"
# A slot of 1 us over a long run: refused at the slot, for the workload's
# task mix and for a slotted policy's parameter.
sized_scenario "1000 s" 1 "{tasks: {zipf: 1, slot: 1 us}, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}"
gen; scenario_case "$tmp/sized.yaml" "sized.yaml:16:[0-9]+: slot must be >= duration / 1e6 = 0.001 s, got '1 us'"
sized_scenario "1000 s" 1 "{tasks: {zipf: 1}, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}"
for pol in infida greedy lru static; do
    sed -i "s/^policy: .*/policy: {name: $pol, params: {slot: 0.000001}}/" "$tmp/sized.yaml"
    gen; scenario_case "$tmp/sized.yaml" "sized.yaml:17:[0-9]+: a slot of 1e-06 s makes 1e\+09 slots over the 1000 s run, more than 1e\+06; expected a 'slot' of at least 0.001 s"
done
# The default slot (1 s) over a run of 1e7 s: 1e7 slots.
sized_scenario "1e7 s" 1 "{tasks: {zipf: 1}, arrival: {process: poisson, rate_per_s: 0.000001}, slo_ms: 300}"
sed -i "s/^policy: .*/policy: static/" "$tmp/sized.yaml"
gen; scenario_case "$tmp/sized.yaml" "sized.yaml: a slot of 1 s makes 1e\+07 slots over the 1e\+07 s run, more than 1e\+06"

# The IDN problem's expected counts (slots x request types; they once
# wrapped around and overflowed the heap): refused for their size.
idn="$STRATA_SRC/configs/idn-tree.yaml"
gen; STRATA_MEMORY_LIMIT_MB=500 invoke 2 'idn-tree.yaml: 135 request types \(tasks x access nodes\) over 1e\+06 slots need 1.08 GB for the expected counts, more than the limit of 500 MB' -- validate --set duration=1e6 --set devices.0.workload.tasks.slot=1 --set devices.0.workload.arrival.rate_per_s=0.00001 --set policy=static "$idn"
gen; invoke 2 "idn-tree.yaml:[0-9]+:32: slot must be >= duration / 1e6 = 1000 s, got '10 s'" -- validate --set duration=1e9 --set 'policy={name: static, params: {slot: 1e-6}}' "$idn"
# (a limit the million seconds' 3e8 requests fit, so the slots are what
# is refused)
gen; STRATA_MEMORY_LIMIT_MB=100000 invoke 2 "idn-tree.yaml: a slot of 1e-06 s makes 1e\+12 slots over the 1e\+06 s run" -- validate --set duration=1e6 --set 'policy={name: static, params: {slot: 1e-6}}' "$idn"

# ---- one bounded reader for every input file --------------------------------
# Devices, directories, NUL bytes, UTF-16 and over-long lines, the same
# answer for every kind of file.
arrivals() {   # the arrival file a sized scenario names
    sized_scenario "10 s" 1 "{task: cls, arrival: {process: file, file: \"$1\"}, slo_ms: 300}"
}
arrivals /dev/zero
gen; scenario_case "$tmp/sized.yaml" 'sized.yaml:16:[0-9]+: /dev/zero: is a character device; expected an arrival-time file'
mkdir -p "$tmp/arrivals-dir"
arrivals arrivals-dir
gen; scenario_case "$tmp/sized.yaml" 'sized.yaml:16:[0-9]+: .*arrivals-dir: is a directory; expected an arrival-time file'
printf '0.5\n1\0.5\n2\n' >"$tmp/arrivals-nul.txt"
arrivals arrivals-nul.txt
gen; scenario_case "$tmp/sized.yaml" 'arrivals-nul.txt:2:2: contains a NUL byte; expected an arrival-time file'
{ printf '1\n'; head -c 70000 /dev/zero | tr '\0' '1'; printf '\n'; } >"$tmp/arrivals-long.txt"
arrivals arrivals-long.txt
gen; scenario_case "$tmp/sized.yaml" 'arrivals-long.txt:2: line is longer than 64 KiB; expected an arrival-time file'
# An empirical distribution's CSV: positional fields, bounded reading.
printf 'rtt_ms,other_ms\n10,1\n,99999\n' >"$tmp/rtt.csv"
sized_scenario "10 s" 1 "{task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}"
sed -i 's|link: .*|link: {up: {mbps: 10}, down: {mbps: 10}, rtt: {dist: empirical, file: rtt.csv, column: rtt_ms}}|' "$tmp/sized.yaml"
gen; scenario_case "$tmp/sized.yaml" "rtt.csv:3: expected a non-negative number in column 'rtt_ms', got ''"
sed -i 's|file: rtt.csv|file: /dev/zero|' "$tmp/sized.yaml"
gen; scenario_case "$tmp/sized.yaml" 'sized.yaml:15:[0-9]+: cannot read samples file: /dev/zero: is a character device; expected a CSV file of samples'
# A scenario in UTF-16 is named as such, not as "a NUL byte".
printf 'name: x\n' | iconv -f UTF-8 -t UTF-16 >"$tmp/utf16.yaml"
gen; scenario_case "$tmp/utf16.yaml" 'utf16.yaml: is UTF-16 text; expected a YAML text file in UTF-8'
# Two rows for one model and precision in a profile CSV: an error naming
# both lines, not a silently dropped row.
printf 'model,quantized,size_mb,top1,top5,cpu4_ms\nNet,0,10,0.6,0.8,20\nOther,0,10,0.6,0.8,20\nNet,0,10,0.6,0.8,35\n' >"$tmp/dup-rows.csv"
gen; invoke 2 "dup-rows.csv:4: model 'Net' \(float\) is already given on line 2; expected one row per model and precision" -- profile import --from tflite-csv "$tmp/dup-rows.csv" -o "$tmp/hw.yaml"
# Expected files, profile CSV and JSON.
regr="$STRATA_SRC/experiments/regression.yaml"
gen; invoke 2 '/dev/zero: is a character device; expected a regression expected file' -- check "$regr" --expect /dev/zero
printf 'experiment,policy\0\n' >"$tmp/expected-nul.csv"
gen; invoke 2 'expected-nul.csv:1:18: contains a NUL byte; expected a regression expected file' -- check "$regr" --expect "$tmp/expected-nul.csv"
gen; invoke 2 '/dev/zero: is a character device; expected a TFLite benchmark CSV file' -- profile import --from tflite-csv /dev/zero -o "$tmp/hw.yaml"
gen; invoke 2 '/dev/zero: is a character device; expected a JSON file' -- profile import --from mlperf-mobile /dev/zero -o "$tmp/hw.yaml"
gen; invoke 2 '/dev/zero: expected an AI Hub model directory' -- profile import --from ai-hub /dev/zero -o "$tmp/hw.yaml"
[ ! -e "$tmp/hw.yaml" ] || fail "a refused profile import left an output file"

# Seeds are read exactly: 2^53 and 2^53 + 1 are two runs, and the largest
# seed runs in a sweep as it passes --dry-run.
rm -f "$tmp/seeds.db"
for s in 9007199254740992 9007199254740993; do
    gen; invoke 0 '' -- run -q --db "$tmp/seeds.db" --set duration=5 --set warmup=1 --policy local --seed "$s" "$good"
done
[ "$(sqlite3 "$tmp/seeds.db" 'select count(distinct seed) || count(distinct run_key) from runs' 2>&1)" = 22 ] ||
    fail "seeds 2^53 and 2^53+1: $(sqlite3 "$tmp/seeds.db" 'select seed, run_key from runs' 2>&1)"
printf 'name: s\nbase: %s\nset: {duration: 5 s, warmup: 1 s}\npolicies: [local]\nseeds: [18446744073709551615]\n' "$good" >"$tmp/max-seed.yaml"
gen; invoke 0 '' -- sweep --dry-run --db "$tmp/max-seed.db" "$tmp/max-seed.yaml"
gen; invoke 0 '' -- sweep -q -j 1 --db "$tmp/max-seed.db" "$tmp/max-seed.yaml"
[ "$(sqlite3 "$tmp/max-seed.db" "select seed, status from runs" 2>&1)" = "0xffffffffffffffff|ok" ] ||
    fail "seed 2^64-1 did not run: $(sqlite3 "$tmp/max-seed.db" 'select seed, status, message from runs' 2>&1)"

# ---- algorithms bounded on input size ---------------------------------------
# 30,000 nodes in a binary tree, the last repeating a name: uniqueness and
# parents are checked in linear time (a quadratic check takes minutes, the
# cubic one it replaced hours), so the answer comes within the limit.
{
    printf 'name: big\nduration: 10 s\nmodels:\n  - {name: m, task: cls, accuracy: 0.7, size_mb: 10}\n'
    printf 'hardware:\n  - name: hw\n    profiles: {m: {exec_ms: 5}}\nnodes:\n  - {name: n0, tier: cloud, hardware: hw}\n'
    awk 'BEGIN { for (i = 1; i < 30000; i++) printf "  - {name: n%d, tier: access, hardware: hw, parent: n%d, uplink: {up: {mbps: 100}, down: {mbps: 100}}}\n", i, int((i - 1) / 2) }'
    printf '  - {name: n5, tier: access, hardware: hw, parent: n0, uplink: {up: {mbps: 100}, down: {mbps: 100}}}\n'
    printf 'devices:\n  - {name: ph, hardware: hw, attach: access, link: {up: {mbps: 10}, down: {mbps: 10}}, workload: {task: cls, arrival: {process: poisson, rate_per_s: 0.01}, slo_ms: 300}}\npolicy: cloud\n'
} >"$tmp/big-topology.yaml"
gen; scenario_case "$tmp/big-topology.yaml" "big-topology.yaml:30009:5: duplicate node name 'n5' \(first at entry 6\)"
# The capacity search's tolerance is floored at what a double resolves.
gen; invoke 2 "capacity: --tol: expected a number in \[1e-9, 1\), got '1e-16'" -- capacity "$good" --policy local --target 0.9 --tol 1e-16

# ---- safe output -------------------------------------------------------------
# A failed write never removes the output path: a device stays a device,
# an old file keeps its contents, and no temporary file is left.
rm -f "$tmp/out.db"*
gen; invoke 0 '' -- run -q --db "$tmp/out.db" --set duration=5 --set warmup=1 --policy local "$good"
# As root a binary with the old bug would delete the system's /dev/full,
# so root uses a copy of the device node made here.
full=/dev/full
if [ "$(id -u)" = 0 ] && mknod "$tmp/full" c 1 7 2>/dev/null; then
    full=$tmp/full
fi
for cmd in "trace synth --preset lte --seed 1 --duration 5 -o $full" \
           "trace import $STRATA_SRC/traces/synth-lte-1.txt -o $full" \
           "export --db $tmp/out.db --csv $full" \
           "report --db $tmp/out.db -o $full"; do
    read -r -a argv <<<"$cmd"
    tried=$((tried + 1)); gen
    timeout -k 5 "$limit" "$STRATA" "${argv[@]}" >/dev/null 2>"$tmp/err"
    rc=$?
    { [ "$rc" = 1 ] || [ "$rc" = 2 ]; } && grep -qE 'could not write|cannot write|cannot open' "$tmp/err" ||
        fail "strata $cmd: exit $rc, $(head -1 "$tmp/err")"
    [ -c "$full" ] || fail "strata $cmd removed $full"
done
echo old >"$tmp/old.txt"
gen; invoke 2 "'no.such.key' is not a column of" -- report --db "$tmp/out.db" --by no.such.key -o "$tmp/old.txt"
[ "$(cat "$tmp/old.txt")" = old ] || fail "a failed report replaced or removed the old output"
mkdir -p "$tmp/out-dir"
gen; invoke 2 'out-dir: is a directory; expected a file to write' -- export --db "$tmp/out.db" --csv "$tmp/out-dir"
ls "$tmp"/*.tmp-* >/dev/null 2>&1 && fail "a temporary output file was left behind: $(ls "$tmp"/*.tmp-*)"
# Written through a symbolic link, the link's target is replaced and the
# link stays a link.
gen; invoke 0 '' -- export --db "$tmp/out.db" --csv "$tmp/real.csv"
ln -sf real.csv "$tmp/link.csv"
echo stale >"$tmp/real.csv"
gen; invoke 0 '' -- export --db "$tmp/out.db" --csv "$tmp/link.csv"
[ -L "$tmp/link.csv" ] && grep -q slo_attainment "$tmp/real.csv" ||
    fail "export through a symbolic link did not write its target"

# check --update through a symbolic link writes the link's target.
grep -m1 "^experiment," "$STRATA_SRC/experiments/regression.expected.csv" >"$tmp/expected-real.csv"
ln -sf expected-real.csv "$tmp/expected-link.csv"
gen; invoke 0 '' -- check "$regr" --expect "$tmp/expected-link.csv" --update
[ -L "$tmp/expected-link.csv" ] && grep -q '^experiment,policy,point,metric' "$tmp/expected-real.csv" ||
    fail "check --update did not write through the symbolic link"

# A corrupt merge shard: the message says so (SQLite's own, never "not an
# error").
rm -f "$tmp/m.db"*
gen; invoke 0 '' -- run -q --db "$tmp/m.db.rank-0" --set duration=5 --set warmup=1 --policy local "$good"
size=$(stat -c %s "$tmp/m.db.rank-0")
head -c $((size - 12288)) /dev/zero | tr '\0' '\377' |
    dd of="$tmp/m.db.rank-0" bs=4096 seek=3 conv=notrunc 2>/dev/null
gen; invoke 2 'm.db.rank-0: (cannot merge into .*m.db|cannot read the results database|cannot read the schema): .*(database disk image is malformed|file is not a database)' -- merge --db "$tmp/m.db"

echo "bad inputs: $ncases cases, $tried invocations, crashes: $crashes, hangs: $hangs, failures: $fails"
[ "$fails" = 0 ]
