#!/usr/bin/env bash
# figures.sh - analysis/figures turns a small study into non-empty PNG and
# SVG figures: attainment by policy, latency CDF (from per-request rows,
# and from run percentiles when there are none), cost against attainment,
# attainment against the swept parameter.  Skips without gnuplot.
set -eu
: "${STRATA:?}" "${STRATA_SRC:?}"
command -v gnuplot >/dev/null || { echo "SKIP: gnuplot not installed (Debian: gnuplot-nox)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
export STRATA

cat >small.yaml <<END
name: small
base: $STRATA_SRC/configs/quickstart.yaml
set: {duration: 120 s, warmup: 10 s}
grid:
  devices.0.workload.slo_ms: [200, 400, 800]
seeds: [1, 2]
log_requests: true
END
"$STRATA" sweep small.yaml --db small.db --jobs 2 -q >/dev/null

check_png() {
    [ -s "$1" ] || fail "$1 missing or empty"
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
        || fail "$1 is not a PNG"
    [ "$(stat -c %s "$1")" -gt 2000 ] || fail "$1 is suspiciously small"
}
check_svg() {
    [ -s "$1" ] && grep -q '<svg' "$1" || fail "$1 is not an SVG"
}

"$STRATA_SRC/analysis/figures" small.db figs >list.txt
for f in attainment_by_policy latency_cdf cost_vs_attainment \
         attainment_vs_devices.0.workload.slo_ms; do
    check_png "figs/$f.png"
    check_svg "figs/$f.svg"
done
grep -q 'completed requests' figs/latency_cdf.svg

# Without per-request rows the CDF comes from the runs' percentiles, and
# --param picks the axis.
sed -i 's/log_requests: true/log_requests: false/' small.yaml
"$STRATA" sweep small.yaml --db nolog.db --jobs 2 -q >/dev/null
"$STRATA_SRC/analysis/figures" nolog.db figs2 --param devices.0.workload.slo_ms >/dev/null
check_png figs2/latency_cdf.png
grep -q 'p50, p95, p99' figs2/latency_cdf.svg
check_png figs2/attainment_vs_devices.0.workload.slo_ms.png

# errors are plain and exit 2
rc=0; "$STRATA_SRC/analysis/figures" nosuch.db out 2>err.txt || rc=$?
[ $rc = 2 ] && grep -q 'no such results database' err.txt
"$STRATA_SRC/analysis/figures" --help | grep -q 'usage: analysis/figures'
echo "figures ok"
