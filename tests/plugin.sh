#!/usr/bin/env bash
# plugin.sh - policy plugins: the example plugin (examples/policy-plugin)
# lists its parameters, runs next to the built-ins from --plugin and from
# STRATA_PLUGIN_PATH, in sweep workers too, and its runs are stored like a
# built-in's with the plugin's SHA-256 in the stored configuration; a
# plugin of another API version, one without the entry point, one reusing
# a policy's name and a file that is no shared object are each refused
# with exit 2 and a message saying why.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC STRATA_TEST_PLUGINS
lib_tmp
lib_fails
. "$(dirname "$0")/expect.sh"

so="$STRATA_TEST_PLUGINS/bwthresh.so"
scen="$STRATA_SRC/examples/policy-plugin/bwthresh.yaml"
# A short copy of the example (same traces, 60 s) keeps the test fast.
sed -e 's/^duration: .*/duration: 60 s/' -e "s|\.\./\.\./traces/|$STRATA_SRC/traces/|g" \
    "$scen" >"$tmp/short.yaml"

# ---- listing ------------------------------------------------------------------
expect 0 '' -- policy list --plugin "$so"
grep -qE "^bwthresh +example plugin" "$tmp/out" || fail "policy list lacks bwthresh"
grep -qF "(plugin $(realpath "$so"))" "$tmp/out" || fail "policy list does not name the plugin file"
grep -qE '^local ' "$tmp/out" || fail "policy list lacks the built-ins"
expect 0 '' -- policy info bwthresh --plugin "$so"
grep -qE '^  threshold_mbps +number +2 +\[0, 100000\]' "$tmp/out" || fail "info lacks threshold_mbps"
grep -qE '^  alpha +number +0.3 +\[0.01, 1\]' "$tmp/out" || fail "info lacks alpha"
expect 2 "unknown policy 'bwthresh'" -- policy info bwthresh

# ---- a run with --plugin, stored like a built-in --------------------------------
expect 0 '' -- run -q "$tmp/short.yaml" --plugin "$so" --db "$tmp/r.db"
grep -qE '^bwthresh +[0-9]+ ' "$tmp/out" || fail "the table lacks bwthresh"
[ "$(sqlite3 "$tmp/r.db" "select count(*) from runs where status = 'ok'")" = 3 ] \
    || fail "three ok runs expected"
sha=$(sha256sum "$so" | cut -d' ' -f1)
[ "$(sqlite3 "$tmp/r.db" "select count(*) from runs where policy = 'bwthresh'
     and params = 'alpha=0.3;threshold_mbps=1.5'
     and instr(config_text, 'sha256 $sha') > 0")" = 1 ] \
    || fail "the stored configuration does not record the plugin's SHA-256"
offload=$(sqlite3 "$tmp/r.db" "select value from metrics m join runs r on r.id = m.run_id
     where r.policy = 'bwthresh' and m.name = 'offload_fraction'")
awk -v f="$offload" 'BEGIN { exit !(f > 0 && f < 1) }' \
    || fail "bwthresh should offload some requests, not all or none (got $offload)"
expect 0 '' -- report --db "$tmp/r.db" --by policy
grep -qE '^bwthresh ' "$tmp/out" || fail "report lacks bwthresh"

# Bad parameters of a plugin policy: exit 2 with file:line, nothing stored.
sed 's/threshold_mbps: 1.5/threshold_mbps: -1/' "$tmp/short.yaml" >"$tmp/badp.yaml"
expect 2 "badp.yaml:[0-9]+:[0-9]+: policy parameter 'threshold_mbps': expected a number in \[0, 100000\]" \
    -- run -q "$tmp/badp.yaml" --plugin "$so" --db "$tmp/bad.db"
[ ! -s "$tmp/bad.db" ] || [ "$(sqlite3 "$tmp/bad.db" 'select count(*) from runs')" = 0 ] \
    || fail "a rejected plugin parameter left runs"
expect 2 "unknown policy 'bwthresh'" -- validate "$tmp/short.yaml"

# ---- the scenario's own 'plugins' key (paths relative to the scenario) ---------
mkdir -p "$tmp/scen/lib"
cp "$so" "$tmp/scen/lib/bwthresh.so"
{ echo "plugins: [lib/bwthresh.so]"; cat "$tmp/short.yaml"; } >"$tmp/scen/with.yaml"
expect 0 '' -- run -q "$tmp/scen/with.yaml" --db "$tmp/k.db"
[ "$(sqlite3 "$tmp/k.db" "select count(*) from runs where policy = 'bwthresh' and status = 'ok'
     and instr(config_text, '- lib/bwthresh.so') > 0
     and instr(config_text, 'sha256 $sha') > 0")" = 1 ] \
    || fail "a run of a scenario naming its plugin does not record it"
{ echo "plugins: [{path: lib/bwthresh.so, sha256: $sha}]"; cat "$tmp/short.yaml"; } >"$tmp/scen/pinned.yaml"
expect 0 '' -- validate "$tmp/scen/pinned.yaml"
wrong=$(printf '%064d' 0)
{ echo "plugins: [{path: lib/bwthresh.so, sha256: $wrong}]"; cat "$tmp/short.yaml"; } >"$tmp/scen/stale.yaml"
expect 2 "stale.yaml:1:[0-9]+: plugin: .*bwthresh.so: the plugin's SHA-256 is $sha, not the $wrong" \
    -- run -q --no-db "$tmp/scen/stale.yaml"
{ echo "plugins: [lib/nothere.so]"; cat "$tmp/short.yaml"; } >"$tmp/scen/missing.yaml"
expect 2 "missing.yaml:1:11: plugin '.*lib/nothere.so' does not exist" -- validate "$tmp/scen/missing.yaml"
{ echo "plugins: lib/bwthresh.so"; cat "$tmp/short.yaml"; } >"$tmp/scen/scalar.yaml"
expect 2 "scalar.yaml:1:10: expected a list of plugin files" -- validate "$tmp/scen/scalar.yaml"
cat >"$tmp/scen/sw.yaml" <<YAML
name: keysweep
base: with.yaml
grid:
  policy.2.params.threshold_mbps: [0.5, 3]
seeds: [1]
policies: [bwthresh]
YAML
expect 0 '' -- sweep -q "$tmp/scen/sw.yaml" --jobs 2 --db "$tmp/ks.db"
[ "$(sqlite3 "$tmp/ks.db" "select count(*) from runs where status = 'ok' and policy = 'bwthresh'")" = 2 ] \
    || fail "sweep workers did not run the scenario's plugin policy"

# ---- STRATA_PLUGIN_PATH: a file, or a directory of them --------------------------
mkdir "$tmp/plugdir"
ln -s "$so" "$tmp/plugdir/bwthresh.so"
STRATA_PLUGIN_PATH="$tmp/plugdir" expect 0 '' -- validate "$tmp/short.yaml"
grep -qF "plugin     $(realpath "$so") (sha256 $sha)" "$tmp/out" || fail "validate does not show the loaded plugin"
STRATA_PLUGIN_PATH="/nonexistent:$so" expect 2 "/nonexistent: cannot open the plugin" -- validate "$tmp/short.yaml"
# The same file twice (by two names) is loaded once.
STRATA_PLUGIN_PATH="$tmp/plugdir" expect 0 '' -- validate "$tmp/short.yaml" --plugin "$so"

# ---- sweep workers and the stored points ----------------------------------------
cat >"$tmp/sw.yaml" <<YAML
name: plugsweep
base: $tmp/short.yaml
set:
  policy: [{name: bwthresh, params: {threshold_mbps: 1.5}}]
grid:
  policy.0.params.threshold_mbps: [0.5, 3]
seeds: [1, 2]
YAML
expect 0 '' -- sweep -q "$tmp/sw.yaml" --jobs 2 --plugin "$so" --db "$tmp/s.db"
[ "$(sqlite3 "$tmp/s.db" "select count(*) from runs where status = 'ok' and policy = 'bwthresh'")" = 4 ] \
    || fail "the sweep's four bwthresh points are not all stored ok"
# Results of a plugin's policy do not depend on --jobs either.
expect 0 '' -- sweep -q "$tmp/sw.yaml" --jobs 1 --plugin "$so" --db "$tmp/s1.db"
"$STRATA" export --db "$tmp/s.db" --csv "$tmp/s.csv" && "$STRATA" export --db "$tmp/s1.db" --csv "$tmp/s1.csv"
cmp -s "$tmp/s.csv" "$tmp/s1.csv" || fail "the plugin sweep exports differently with --jobs 1 and 2"
[ "$(wc -l <"$tmp/s.csv")" -gt 4 ] || fail "the plugin sweep exported nothing"
expect 2 "unknown policy 'bwthresh'" -- sweep -q "$tmp/sw.yaml" --db "$tmp/s2.db"
# The same sweep again finds every point stored; with a changed plugin
# file (one byte appended: it still loads) no point is taken as stored.
expect 0 '' -- sweep "$tmp/sw.yaml" --jobs 2 --plugin "$so" --db "$tmp/s.db"
grep -q '0 ran, 4 already stored' "$tmp/out" || fail "the unchanged sweep did not resume"
cp "$so" "$tmp/changed.so" && printf 'x' >>"$tmp/changed.so"
expect 0 '' -- sweep "$tmp/sw.yaml" --jobs 2 --plugin "$tmp/changed.so" --db "$tmp/s.db"
grep -q '4 ran, 0 already stored' "$tmp/out" || fail "a changed plugin resumed into the old plugin's runs"

# MPI ranks load the plugin too (each parses its own --plugin).
mpi_rc=0
if command -v mpirun >/dev/null; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np 2 \
        "$STRATA" sweep "$tmp/sw.yaml" --mpi --plugin "$so" --db "$tmp/m.db" -q \
        >"$tmp/mpi.out" 2>&1 || mpi_rc=$?
fi
if ! command -v mpirun >/dev/null || grep -q 'built without MPI' "$tmp/mpi.out"; then
    echo "note: no MPI here; the MPI case is not run"
elif [ "$mpi_rc" != 0 ]; then
    fail "the MPI sweep with a plugin failed: $(tail -3 "$tmp/mpi.out")"
else
    expect 0 '' -- merge --db "$tmp/m.db" -q
    [ "$(sqlite3 "$tmp/m.db" "select count(*) from runs where status = 'ok' and policy = 'bwthresh'")" = 4 ] \
        || fail "the MPI ranks did not store the four bwthresh points"
fi

# ---- refusals -------------------------------------------------------------------
expect 2 "bad_version.so: built for strata plugin API version 100, but this strata has version 2" \
    -- run -q --no-db "$tmp/short.yaml" --plugin "$STRATA_TEST_PLUGINS/bad_version.so"
expect 2 "no_entry.so: not a strata plugin: it does not export 'strata_plugin'" \
    -- run -q --no-db "$tmp/short.yaml" --plugin "$STRATA_TEST_PLUGINS/no_entry.so"
expect 2 "dup_name.so: policy 'local' is already defined by strata \(built in\)" \
    -- run -q --no-db "$tmp/short.yaml" --plugin "$STRATA_TEST_PLUGINS/dup_name.so"
echo "not a shared object" >"$tmp/text.so"
expect 2 "text.so: not a strata plugin: cannot load it as a shared object" \
    -- run -q --no-db "$tmp/short.yaml" --plugin "$tmp/text.so"
expect 2 "nowhere.so: cannot open the plugin" -- check "$tmp/sw.yaml" --expect x.csv --plugin "$tmp/nowhere.so"
cp "$so" "$tmp/copy.so"
expect 2 "copy.so: policy 'bwthresh' is already defined by .*bwthresh.so" \
    -- run -q --no-db "$tmp/short.yaml" --plugin "$so" --plugin "$tmp/copy.so"

lib_done
echo "plugins: ok"
