#!/usr/bin/env bash
# cli_profile.sh - `strata profile import|info`: exit 0 with a file a
# scenario can include; exit 2 naming the file for bad or partial inputs
# and bad arguments, leaving no output file; --help on each subcommand.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA
lib_tmp
lib_fails

. "$(dirname "$0")/expect.sh"

check() {   # check DESCRIPTION COMMAND...: a condition that must hold
    local what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

cat >"$tmp/t.csv" <<'CSV'
model,quantized,size_mb,top1,top5,cpu4_ms,gpu_ms,nnapi_ms
Small_Net,0,10,0.6,0.8,20,5,
Big_Net,0,100,0.8,0.9,250,40,90
CSV

# --help everywhere, exit 0 with usage on stdout
for sub in "" import info; do
    "$STRATA" profile $sub --help >"$tmp/out" 2>&1
    check "profile $sub --help exits 0 with usage" \
        test $? = 0 -a -n "$(grep -l usage "$tmp/out")"
done

# A good import: exit 0, missing values listed on stderr, loadable output.
expect 0 "nnapi_ms" -- profile import --from tflite-csv "$tmp/t.csv" \
    --load-mbps 200 --load-base-ms 50 --exec-cv 0.1 -o "$tmp/p.yaml"
check "output written" test -s "$tmp/p.yaml"
check "output names its source and assumptions" \
    grep -q "Source: TensorFlow Lite" "$tmp/p.yaml"
check "load time follows the stated assumption (50 + 100/200 s)" \
    grep -q "big_net: .*load_ms: 550" "$tmp/p.yaml"
expect 0 "" -- profile info "$tmp/p.yaml"
check "info shows models x hardware" \
    grep -qE "^big_net +image-classification +0.8000 +100 +250 +40 +90" "$tmp/out"
expect 0 "" -- profile info "$tmp/p.yaml" --what load
check "info --what load" grep -qE "^small_net .* 100 +100 +-$" "$tmp/out"

# A scenario that includes it validates.
cat >"$tmp/s.yaml" <<'YAML'
name: s
duration: 20 s
include: [p.yaml]
hardware:
  - name: cloud-gpu
    profiles: {small_net: {exec_ms: 2}, big_net: {exec_ms: 5}}
nodes:
  - {name: cloud, hardware: cloud-gpu}
devices:
  - name: ph
    hardware: pixel-3-cpu4
    attach: cloud
    link: {up: {mbps: 10}, down: {mbps: 10}, rtt_ms: 40}
    workload: {task: image-classification, arrival: {process: poisson, rate_per_s: 1}, slo_ms: 300}
policy: [local, cloud]
YAML
expect 0 "" -- validate "$tmp/s.yaml"
check "validate counts the included models" grep -q "models     2" "$tmp/out"

# Bad inputs: exit 2 naming the file and what is missing; no output left.
printf 'model,quantized,size_mb,top5,cpu4_ms\nx,0,1,0.5,3\n' >"$tmp/bad.csv"
expect 2 "bad.csv.*'top1'" -- profile import --from tflite-csv "$tmp/bad.csv" -o "$tmp/bad.yaml"
check "no output after a bad input" test ! -e "$tmp/bad.yaml"
expect 2 "nope.csv.*cannot open" -- profile import --from tflite-csv "$tmp/nope.csv" -o "$tmp/x.yaml"
mkdir -p "$tmp/hub/m"
echo "precisions: {}" >"$tmp/hub/m/perf.yaml"
expect 2 "hub/m.*no info.yaml" -- profile import --from ai-hub "$tmp/hub" -o "$tmp/x.yaml"
echo '{"results": 3}' >"$tmp/result.json"
expect 2 "result.json.*'results' has the wrong type" -- profile import --from mlperf-mobile "$tmp/result.json" -o "$tmp/x.yaml"
printf '{"results": [\n  oops]}' >"$tmp/result.json"
expect 2 "result.json:2:.*invalid JSON" -- profile import --from mlperf-mobile "$tmp/result.json" -o "$tmp/x.yaml"
expect 2 "no device 'Pixel 9'.*Pixel 3" -- profile import --from tflite-csv "$tmp/t.csv" --device "Pixel 9" -o "$tmp/x.yaml"
check "no output after bad inputs" test ! -e "$tmp/x.yaml"
echo "models: [{name: m, task: t, accuracy: 7}]" >"$tmp/badprof.yaml"
echo "hardware: []" >>"$tmp/badprof.yaml"
expect 2 "badprof.yaml:1:.*accuracy" -- profile info "$tmp/badprof.yaml"

# Bad arguments: exit 2 with a pointer to --help.
expect 2 "unknown source 'csv'" -- profile import --from csv "$tmp/t.csv" -o "$tmp/x.yaml"
expect 2 "--from SOURCE is required" -- profile import "$tmp/t.csv" -o "$tmp/x.yaml"
expect 2 "-o FILE is required" -- profile import --from tflite-csv "$tmp/t.csv"
expect 2 "expected one or more input PATHs" -- profile import --from tflite-csv -o "$tmp/x.yaml"
expect 2 "--load-base-ms needs --load-mbps" -- profile import --from tflite-csv "$tmp/t.csv" --load-base-ms 5 -o "$tmp/x.yaml"
expect 2 "--exec-cv: expected a number" -- profile import --from tflite-csv "$tmp/t.csv" --exec-cv -1 -o "$tmp/x.yaml"
expect 2 "unknown option '--bogus'" -- profile import --bogus
expect 2 "--what: expected exec" -- profile info "$tmp/p.yaml" --what speed
expect 2 "exactly one FILE" -- profile info
expect 2 "unknown subcommand 'export'" -- profile export

# The shipped study's profiles resolve through its includes.
if [ -n "${STRATA_SRC:-}" ]; then
    expect 0 "" -- profile info "$STRATA_SRC/configs/layercake-devices.yaml"
    check "study: 12 models x 3 hardware" grep -q "12 model(s) x 3 hardware" "$tmp/out"
    # Each shipped profile is what its recorded command writes today.
    if [ -d "${STRATA_SHARED_DATA:-/nonexistent}/profiles" ]; then
        for f in "$STRATA_SRC"/configs/hardware/*.yaml; do
            name=$(basename "$f")
            cmd=$(sed -n 's/^# Command: strata //p' "$f" |
                  sed "s| -o $name | -o '$tmp/$name' |")
            (cd "$STRATA_SHARED_DATA" && eval "\"\$STRATA\" $cmd -q") \
                >/dev/null 2>"$tmp/err"
            check "configs/hardware/$name regenerates identically" \
                cmp -s "$f" "$tmp/$name"
        done
    else
        echo "skip: shared data absent, shipped profiles not regenerated"
    fi
fi

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all profile CLI checks passed"
