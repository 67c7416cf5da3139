#!/usr/bin/env bash
# cli_errors.sh - bad scenarios and bad arguments exit 2 with file:line:col
# and say what was expected; nothing is written to the results database.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
lib_fails

. "$(dirname "$0")/expect.sh"

good="$STRATA_SRC/configs/quickstart.yaml"
# A valid base scenario in the temp dir (constant links, no traces).
cat >"$tmp/base.yaml" <<'YAML'
name: t
seed: 3
duration: 50 s
models:
  - {name: m, task: cls, accuracy: 0.7, size_mb: 10, input_bytes: 1000, output_bytes: 100}
hardware:
  - name: hw
    profiles: {m: {exec_ms: 20}}
nodes:
  - {name: cloud, hardware: hw}
devices:
  - name: ph
    hardware: hw
    attach: cloud
    link: {up: {mbps: 10}, down: {mbps: 10}, rtt_ms: 40}
    workload: {task: cls, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}
policy: local
YAML

# variant N OLD NEW: writes bad-N.yaml with one substitution
variant() {
    sed "s|$2|$3|" "$tmp/base.yaml" >"$tmp/bad-$1.yaml"
}

variant missing 'duration: 50 s' ''
variant type 'seed: 3' 'seed: [3]'
variant unknown 'seed: 3' 'seeed: 3'
variant negative 'duration: 50 s' 'duration: -50 s'
variant trace '{up: {mbps: 10}' '{up: {trace: nowhere.txt}'
variant policy 'policy: local' 'policy: telepathy'
variant slo 'slo_ms: 300' 'slo_ms: 0'
variant tab '    hardware: hw' '\thardware: hw'

expect 0 '' -- validate "$tmp/base.yaml"
expect 2 "bad-missing.yaml:1:1: missing required key 'duration'" -- validate "$tmp/bad-missing.yaml"
expect 2 'bad-type.yaml:2:7: expected a number for seed' -- validate "$tmp/bad-type.yaml"
expect 2 "bad-unknown.yaml:2:1: unknown key 'seeed'" -- validate "$tmp/bad-unknown.yaml"
expect 2 'bad-negative.yaml:3:11: duration must be in' -- validate "$tmp/bad-negative.yaml"
expect 2 "bad-trace.yaml:15:[0-9]+: trace '.*nowhere.txt' does not exist" -- validate "$tmp/bad-trace.yaml"
expect 2 "bad-policy.yaml:17:9: unknown policy 'telepathy'" -- run --no-db "$tmp/bad-policy.yaml"
expect 2 'bad-slo.yaml:16:[0-9]+: slo_ms must be in' -- run --db "$tmp/r.db" "$tmp/bad-slo.yaml"
expect 2 'bad-tab.yaml:[0-9]+:[0-9]+: invalid YAML' -- validate "$tmp/bad-tab.yaml"
expect 2 'no-such.yaml: cannot open' -- run --db "$tmp/r.db" "$tmp/no-such.yaml"
expect 2 'is a directory' -- validate "$tmp"
expect 2 "unknown policy 'nope'" -- run --db "$tmp/r.db" --policy nope "$good"
expect 2 'seed: expected a non-negative whole number' -- run --db "$tmp/r.db" --seed -4 "$good"
expect 2 "unknown option '--frobnicate'" -- run --frobnicate "$good"
expect 2 'expected one scenario file' -- run
expect 2 "unknown command 'fly'" -- fly
expect 2 'not an index of a list' -- validate --set devices.9.count=2 "$tmp/base.yaml"
expect 0 '' -- run --help
expect 0 '' -- validate --help
expect 0 '' -- --version

# Every command's options come from one table: --help is generated (exit 0,
# usage on stdout, listing -h), and a bad option or a missing value gets
# the same message everywhere.
for cmd in run validate export sweep report merge capacity check \
           "trace info" "trace synth" "trace import" "profile import" \
           "profile info"; do
    # shellcheck disable=SC2086
    "$STRATA" $cmd --help >"$tmp/help" 2>&1
    if [ $? != 0 ] || ! grep -q "^usage: strata $cmd " "$tmp/help" ||
       ! grep -q -- '-h, --help' "$tmp/help"; then
        echo "FAIL: strata $cmd --help"; fails=$((fails + 1))
    fi
    # shellcheck disable=SC2086
    expect 2 "^strata $cmd: unknown option '--no-such-option'" -- $cmd --no-such-option
    # shellcheck disable=SC2086
    expect 2 "^strata $cmd: unknown option '-Z'" -- $cmd -Z
done
expect 2 "^strata sweep: option '--db' needs a value" -- sweep x.yaml --db
expect 2 "^strata report: option '-o' needs a value" -- report --db x -o
expect 2 "^strata export: --db FILE is required" -- export
expect 2 "^strata capacity: --reps: expected a whole number in \[1, 1000\], got '0'" -- capacity --reps 0 --target 0.5 x.yaml
# every run of the capacity search is bounded before it starts
STRATA_MEMORY_LIMIT_MB=1 expect 2 "quickstart.yaml:[0-9]+:[0-9]+: the run of policy 'local' \(16 devices\) would need up to [0-9.]+ MB of memory, more than the limit of 1 MB" -- capacity --target 0.8 --policy local "$good"
expect 2 "^strata report: --level: expected a number in \(0, 1\), got '1'" -- report --db x --level 1
expect 2 "^strata report: unexpected argument 'extra'" -- report --db x extra

# Failed runs wrote nothing: the database is absent or holds no runs.
if [ -f "$tmp/r.db" ] && [ "$(sqlite3 "$tmp/r.db" 'select count(*) from runs')" != 0 ]; then
    echo "FAIL: a rejected input left runs in the database"
    fails=$((fails + 1))
fi
lib_done
echo "all CLI error cases behave"
