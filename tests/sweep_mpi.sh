#!/usr/bin/env bash
# sweep_mpi.sh - the MPI back end: `mpirun -np 2 strata sweep --mpi` writes
# one shard per rank, and the merged shards export exactly what a --jobs 1
# sweep does; running it again finds every point stored.  Skips (77) when
# strata was built without MPI or mpirun is absent.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_need_tool mpirun "mpirun not found (install openmpi-bin)"
lib_tmp
cd "$tmp"

lib_fail_exits
# Open MPI keeps allocations until exit, which LeakSanitizer would report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
# Containers and CI runners are often root; Open MPI refuses that unless told.
mpi() { mpirun --oversubscribe --allow-run-as-root -np 2 "$@"; }

cat >study.yaml <<EOF2
name: mpi-study
base: $STRATA_SRC/configs/quickstart.yaml
set: {duration: 300 s}
grid:
  devices.0.count: [4, 8, 12]
seeds: [1, 2, 3]
policies: [local, cloud]
EOF2

rc=0
mpi "$STRATA" sweep study.yaml --mpi --db m.db -q >out.txt 2>err.txt || rc=$?
if grep -q 'built without MPI' err.txt; then
    echo "SKIP: this strata was built without MPI (meson -Dmpi=enabled)"
    exit 77
fi
[ $rc = 0 ] || { cat err.txt; fail "mpirun exited $rc"; }
grep -q 'sweep mpi-study: 18 points: 18 ran, 0 already stored, 0 failed' out.txt \
    || fail "summary: $(cat out.txt)"
[ -f m.db.rank-0 ] && [ -f m.db.rank-1 ] || fail "expected one shard per rank"
[ ! -e m.db.rank-2 ]
# round-robin: 9 points each
[ "$(sqlite3 m.db.rank-0 'select count(*) from runs')" = 9 ]
[ "$(sqlite3 m.db.rank-1 'select count(*) from runs')" = 9 ]
"$STRATA" merge --db m.db 2>merge.txt
grep -q '2 shards into m.db: 18 runs added' merge.txt

"$STRATA" sweep study.yaml --jobs 1 --db ref.db -q >/dev/null
"$STRATA" export --db ref.db --csv ref.csv
"$STRATA" export --db m.db --csv m.csv
cmp ref.csv m.csv || fail "MPI sweep exports differently from --jobs 1"

# Resumable too: every rank finds its points in its shard.
mpi "$STRATA" sweep study.yaml --mpi --db m.db -q >again.txt 2>/dev/null
grep -q '0 ran, 18 already stored' again.txt || fail "rerun: $(cat again.txt)"
# --mpi takes neither --jobs nor --shard
rc=0; "$STRATA" sweep study.yaml --mpi --jobs 2 2>/dev/null || rc=$?; [ $rc = 2 ]
echo "sweep over MPI ok"
