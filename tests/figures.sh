#!/usr/bin/env bash
# figures.sh - analysis/figures on a small LayerCake-style sweep (two
# zipped SLO axes and an uplink axis, two seeds) with a non-sweep run in
# the same database, and on a small IDN budget sweep: every figure is a
# real PNG and SVG, the SLO axis stays numeric, each uplink gets a panel,
# the IDN gain is drawn over time in seconds with a panel per budget, and
# the script parses no CSV itself.  Skips without gnuplot.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_need_tool gnuplot "gnuplot not installed (Debian: gnuplot-nox)"
lib_tmp
cd "$tmp"
lib_fail_exits
export STRATA
figures="$STRATA_SRC/analysis/figures"

cat >small.yaml <<END
name: small
base: $STRATA_SRC/configs/quickstart.yaml
set: {duration: 70 s, warmup: 10 s}
zip:
  devices.0.workload.slo_ms: [200, 400, 800]
  devices.1.workload.slo_ms: [200, 400, 800]
grid:
  devices.0.link.up.scale: [0.5, 1]
seeds: [1, 2]
END
"$STRATA" sweep small.yaml --db small.db --jobs 2 -q >/dev/null
# a run outside the sweep must not turn the SLO axis into categories
"$STRATA" run "$STRATA_SRC/configs/quickstart.yaml" --db small.db -q \
    --set 'duration=70 s' --set 'warmup=10 s' --set devices.0.count=3 >/dev/null

check_png() {
    [ -s "$1" ] || fail "$1 missing or empty"
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
        || fail "$1 is not a PNG"
    [ "$(stat -c %s "$1")" -gt 2000 ] || fail "$1 is suspiciously small"
}
check_svg() {
    [ -s "$1" ] && grep -q '<svg' "$1" || fail "$1 is not an SVG"
}
check_both() {
    check_png "$1.png"
    check_svg "$1.svg"
}

"$figures" small.db figs >list.txt
for m in slo_attainment mean_accuracy latency_p95_ms cost_per_1k_usd; do
    check_both "figs/metric_$m"
done
svg=figs/metric_slo_attainment.svg
# x: the SLO in ms, numeric (gnuplot's own ticks between the values)
grep -q 'devices.0.workload.slo_ms (ms)' $svg || fail "no SLO axis label with its unit"
grep -q '> *300<' $svg && grep -q '> *700<' $svg || fail "the SLO axis is not numeric"
# a panel per uplink scale; the zipped second SLO is no panel
grep -q 'devices.0.link.up.scale=0.5' $svg && grep -q 'devices.0.link.up.scale=1' $svg \
    || fail "no panel per uplink scale"
! grep -q 'devices.1.workload.slo_ms=' $svg || fail "a zipped axis became panels"
! grep -q 'scale=-' $svg || fail "the run outside the sweep got an empty panel"
grep -q 'SLO attainment (fraction of requests)' $svg || fail "no metric label with its unit"
grep -q '95% CI' $svg || fail "the title does not say what the bars are"

# --metric any stored metric, --x another axis
"$figures" small.db figs2 --metric requests_unfinished --x devices.0.link.up.scale >/dev/null
check_both figs2/metric_requests_unfinished
grep -q 'x the trace' figs2/metric_requests_unfinished.svg

# the IDN gain over time: per-slot means with CI bands, time in seconds
cat >idn.yaml <<END
name: idn-small
base: $STRATA_SRC/configs/idn-tree.yaml
set: {duration: 300 s}
zip:
  topology.tree.2.memory_mb: [128, 512]
  topology.tree.3.memory_mb: [64, 256]
seeds: [1, 2]
END
"$STRATA" sweep idn.yaml --db idn.db --jobs 2 -q >/dev/null
"$figures" idn.db idnfigs >/dev/null
check_both idnfigs/series_gain_integral
check_both idnfigs/metric_idn_gain_vs_static
svg=idnfigs/series_gain_integral.svg
grep -q 'simulated time (s)' $svg || fail "the series is not against time in seconds"
grep -q 'topology.tree.2.memory_mb=128' $svg && grep -q 'topology.tree.2.memory_mb=512' $svg \
    || fail "no panel per budget"
grep -q '> *200<' $svg || fail "no time ticks in seconds"

# the numbers are strata's; the script draws
! grep -q 'awk' "$figures" || fail "analysis/figures parses CSV with awk"

# errors are plain and exit 2
rc=0; "$figures" nosuch.db out 2>err.txt || rc=$?
[ $rc = 2 ] && grep -q 'no such results database' err.txt
rc=0; "$figures" small.db out --metric no_such_metric 2>err.txt || rc=$?
[ $rc = 2 ] && grep -q "no metric 'no_such_metric'" err.txt
"$figures" --help | grep -q 'usage: analysis/figures'
echo "figures ok"
