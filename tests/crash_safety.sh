#!/usr/bin/env bash
# crash_safety.sh - the results database survives what happens to real runs:
#  - `strata run` killed with SIGKILL at random points (during set-up, the
#    simulation, or the write) leaves a valid database (PRAGMA
#    integrity_check) holding only whole runs: each with the full metric
#    set and, with --log-requests, every request row;
#  - a read-only database (a read-only filesystem, or a write-protected
#    file for a user who cannot override it) and a full disk give a clear
#    message and an exit code, not a crash, and change nothing;
#  - SQL goes only through bound parameters: a scenario named
#    x'); DROP TABLE runs;-- is stored as that name.
# The read-only and disk-full cases mount small tmpfs filesystems when
# allowed (root); otherwise they fall back to an unprivileged user and a
# file-size limit, and skip only what neither way can set up.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
mounts=()
unmount_all() {
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
}
lib_tmp unmount_all
lib_fails
q() { sqlite3 "$1" "$2" 2>&1; }

# The quickstart with twice the devices: two policies and about 17,000
# requests each, so a run simulates and writes for a while.
sed -e 's/^    count: 6$/    count: 12/' -e 's/^    count: 4$/    count: 8/' \
    -e 's|\.\./traces/|'"$STRATA_SRC"'/traces/|g' \
    "$STRATA_SRC/configs/quickstart.yaml" >"$tmp/base.yaml"
# Runs in the background are strata itself (exec), so a kill reaches it.
run() { exec "$STRATA" run -q --log-requests "$tmp/base.yaml" "$@"; }

# check_db DB LABEL: valid, and every run whole.
check_db() {
    local db=$1 label=$2
    [ -f "$db" ] || return 0
    local ic
    ic=$(q "$db" 'PRAGMA integrity_check')
    [ "$ic" = ok ] || { fail "$label: integrity_check says: $ic"; return; }
    # Killed before the schema was committed: an empty database is fine.
    [ "$(q "$db" "select count(*) from sqlite_master where name = 'runs'")" = 1 ] || return 0
    local partial
    partial=$(q "$db" "select count(*) from runs r where
        status != 'ok'
        or (select count(*) from metrics m where m.run_id = r.id) != $nmetrics
        or (select value from metrics m where m.run_id = r.id and m.name = 'requests')
           != (select count(*) from requests q where q.run_id = r.id)")
    [ "$partial" = 0 ] || fail "$label: $partial partial run(s) in the database"
}

# ---- a reference run: how many metrics a whole run has -------------------
(run --db "$tmp/ref.db" --seed 1) >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "reference run failed"; }
nmetrics=$(q "$tmp/ref.db" 'select count(*) from metrics where run_id = (select min(id) from runs)')
[ "${nmetrics:-0}" -gt 10 ] || fail "reference run stored only '${nmetrics}' metrics"
start=$(date +%s%N)
(run --db "$tmp/timing.db" --seed 2) >/dev/null 2>&1
full_ms=$((($(date +%s%N) - start) / 1000000))
echo "a full run takes $full_ms ms; killing runs at random points in [0, $full_ms] ms"

# ---- SIGKILL at random points ---------------------------------------------
RANDOM=7
kills=0 finished=0
for i in $(seq 1 20); do
    db="$tmp/kill.db"
    # Every fourth run starts on a fresh file, so kills also land while
    # the schema is being created.
    [ $((i % 4)) = 1 ] && rm -f "$db" "$db-wal" "$db-shm"
    delay_ms=$((RANDOM % (full_ms + 1)))
    (run --db "$db" --seed $((i % 6))) >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); else finished=$((finished + 1)); fi
    wait "$pid" 2>/dev/null
    check_db "$db" "kill $i after $delay_ms ms"
done
runs_left=$(q "$tmp/kill.db" 'select count(*) from runs' 2>/dev/null)
echo "killed $kills runs ($finished finished first); $runs_left whole run(s) in the last database"
# The database is still usable afterwards.
(run --db "$tmp/kill.db" --seed 99) >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "a run after the kills failed"; }
check_db "$tmp/kill.db" "after the kills"
"$STRATA" export --db "$tmp/kill.db" --csv "$tmp/kill.csv" || fail "export after the kills failed"

# ---- read-only databases --------------------------------------------------
# expect_refusal CODE PATTERN DB LABEL -- CMD...: runs CMD, which must exit
# CODE with a message matching PATTERN, not crash, and (unless DB is "-")
# leave DB unchanged.
expect_refusal() {
    local code=$1 pattern=$2 db=$3 label=$4
    shift 5
    local before="" after="" got
    [ "$db" = - ] || before=$(q "$db" 'select count(*) from runs')
    ("$@") >/dev/null 2>"$tmp/err"
    got=$?
    [ "$db" = - ] || after=$(q "$db" 'select count(*) from runs')
    if [ "$got" -ge 128 ] || grep -qE 'Sanitizer|runtime error:' "$tmp/err"; then
        fail "$label: crashed (exit $got)"; sed 's/^/    /' "$tmp/err" | head -20
    elif [ "$got" != "$code" ]; then
        fail "$label: exit $got (want $code)"; sed 's/^/    /' "$tmp/err"
    elif ! grep -qE "$pattern" "$tmp/err"; then
        fail "$label: message does not match /$pattern/"; sed 's/^/    /' "$tmp/err"
    else
        echo "ok: $label -> $got: $(head -1 "$tmp/err")"
    fi
    [ "$before" = "$after" ] || fail "$label: the database changed ($before -> $after runs)"
}

# try_tmpfs DIR SIZE: mounts a tmpfs there; 0 if it worked.
try_tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
    mounts+=("$1")
}

ro_done=0
if try_tmpfs "$tmp/ro" 64m; then
    (run --db "$tmp/ro/r.db" --seed 1) >/dev/null 2>&1 || fail "run on the tmpfs failed"
    mount -o remount,ro "$tmp/ro" || fail "cannot remount read-only"
    expect_refusal 2 'r\.db: .*read-only \(it is on a read-only file system\)' "$tmp/ro/r.db" "run on a read-only filesystem" \
        -- run --db "$tmp/ro/r.db" --seed 5
    expect_refusal 2 'new\.db: cannot open' "$tmp/ro/r.db" "new database on a read-only filesystem" \
        -- run --db "$tmp/ro/new.db" --seed 5
    "$STRATA" export --db "$tmp/ro/r.db" >"$tmp/ro.csv" 2>"$tmp/err" || fail "export from a read-only filesystem: $(cat "$tmp/err")"
    ro_done=1
fi
# A write-protected file, for a user the permissions bind.
nobody_run() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
    mkdir "$tmp/perm"
    cp "$tmp/ref.db" "$tmp/perm/r.db"
    chmod 755 "$tmp" "$tmp/perm"
    chmod 444 "$tmp/perm/r.db"
    chmod -R a+rX "$tmp/base.yaml"
    if nobody_run test -r "$tmp/perm/r.db" && nobody_run test -x "$STRATA"; then
        expect_refusal 2 "r\\.db: .*read-only \\(check the file's permissions\\)" "$tmp/perm/r.db" "run on a write-protected database" \
            -- nobody_run "$STRATA" run -q "$tmp/base.yaml" --db "$tmp/perm/r.db" --seed 5
        ro_done=$((ro_done + 1))
    fi
fi
[ "$ro_done" -gt 0 ] || echo "SKIP: read-only cases (no tmpfs mount and no unprivileged user)"

# ---- a full disk ----------------------------------------------------------
# A run whose request rows do not fit: SQLite reports the disk full, the
# transaction rolls back, earlier runs stay whole.  The disk holds the
# empty schema (16 pages of 32 KiB, in the WAL first) and not much more.
if try_tmpfs "$tmp/full" 1200k; then
    expect_refusal 1 'full\.db: .*disk is full' - "run onto a full disk" \
        -- run --db "$tmp/full/full.db" --seed 3
    check_db "$tmp/full/full.db" "after the disk filled"
else
    # Without a mount, a file-size limit has the same effect (with
    # SIGXFSZ ignored, writes past it fail with EFBIG).
    mkdir "$tmp/full"
    expect_refusal 1 'full\.db: .*(disk is full|I/O error)' - "run past a file-size limit" \
        -- bash -c 'trap "" XFSZ; ulimit -f 1200; exec "$@"' _ "$STRATA" run -q --log-requests \
           "$tmp/base.yaml" --db "$tmp/full/full.db" --seed 3
    check_db "$tmp/full/full.db" "after the file-size limit"
fi

# ---- SQL only through bound parameters ------------------------------------
evil="x'); DROP TABLE runs;--"
sed "s/^name: quickstart/name: \"$evil\"/" "$tmp/base.yaml" >"$tmp/evil.yaml"
"$STRATA" run -q --log-requests --db "$tmp/evil.db" "$tmp/evil.yaml" >/dev/null 2>"$tmp/err" \
    || { cat "$tmp/err"; fail "the run named '$evil' failed"; }
[ "$(q "$tmp/evil.db" "select count(*) from sqlite_master where name = 'runs'")" = 1 ] \
    || fail "the runs table is gone"
stored=$(q "$tmp/evil.db" 'select distinct scenario from runs')
[ "$stored" = "$evil" ] || fail "scenario stored as '$stored', not '$evil'"
"$STRATA" export --db "$tmp/evil.db" --csv "$tmp/evil.csv" || fail "export of the evil name failed"
grep -qF "$evil" "$tmp/evil.csv" || fail "the export lost the name '$evil'"
check_db "$tmp/evil.db" "the evil name"

lib_done
echo "crash safety holds"
