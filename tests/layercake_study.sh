#!/usr/bin/env bash
# layercake_study.sh - the LayerCake comparison has the shape DESIGN 3.1
# expects: on the synthetic study (two seeds) and, when the shared data is
# there, on the 80 HSDPA traces, layercake meets more SLOs than local,
# cloud and infaas, the oracle at least as many as layercake, and
# layercake's cloud cost is well below (under half) the cloud's.
#
# The margin over `local` rests on `local` choosing its model against the
# whole SLO (DESIGN's table), so on a busy phone it picks models the time
# left after queueing cannot hold.  A `local` that used the remaining
# budget (st_request.budget_s, as the harness's on-device baseline does)
# meets about 96% on the synthetic study, a little above layercake's
# 95.7%; on the HSDPA traces layercake stays above it (98.2% to 96.1%).
set -eu
: "${STRATA:?}" "${STRATA_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

metric() {   # metric DB POLICY NAME SEED
    sqlite3 "$1" "select m.value from metrics m join runs r on r.id = m.run_id
                  where r.policy = '$2' and m.name = '$3' and r.seed = $4"
}

# check DB SEED LABEL: asserts the shape on one run of the five policies.
check() {
    local db=$1 seed=$2 label=$3 p
    declare -A slo
    for p in local cloud infaas layercake oracle; do
        slo[$p]=$(metric "$db" $p slo_attainment "$seed")
        [ -n "${slo[$p]}" ] || { echo "$label: no run of $p" >&2; exit 1; }
    done
    local lc_cost cloud_cost
    lc_cost=$(metric "$db" layercake cost_usd "$seed")
    cloud_cost=$(metric "$db" cloud cost_usd "$seed")
    for p in local cloud infaas; do
        awk -v a="${slo[layercake]}" -v b="${slo[$p]}" 'BEGIN { exit !(a > b) }' || {
            echo "$label: layercake SLO attainment ${slo[layercake]} not above $p's ${slo[$p]}" >&2
            exit 1
        }
    done
    awk -v a="${slo[oracle]}" -v b="${slo[layercake]}" 'BEGIN { exit !(a >= b) }' || {
        echo "$label: oracle ${slo[oracle]} below layercake ${slo[layercake]}" >&2
        exit 1
    }
    awk -v a="$lc_cost" -v b="$cloud_cost" 'BEGIN { exit !(b > 0 && a < 0.5 * b) }' || {
        echo "$label: layercake cost $lc_cost not well below cloud's $cloud_cost" >&2
        exit 1
    }
    echo "$label: layercake ${slo[layercake]} > local ${slo[local]}, cloud ${slo[cloud]}," \
         "infaas ${slo[infaas]}; oracle ${slo[oracle]}; cost $lc_cost vs cloud $cloud_cost"
}

echo "(oracle: uses the future of the traces; an upper bound, not deployable)"
for seed in 1 2; do
    "$STRATA" run "$STRATA_SRC/configs/layercake-synth.yaml" --seed $seed \
        --db synth.db -q
    check synth.db $seed "synthetic, seed $seed"
done

data=${STRATA_SHARED_DATA:-}
if [ -z "$data" ] || [ ! -d "$data/traces/hsdpa-norway" ] ||
   [ ! -f "$data/rtt/5gophers/round-trip-times.csv" ]; then
    echo "HSDPA part skipped: the shared data (traces/hsdpa-norway, rtt/5gophers) is not available"
    exit 0
fi
STRATA_DATA=$data "$STRATA" run "$STRATA_SRC/configs/layercake-hsdpa.yaml" \
    --seed 1 --db hsdpa.db -q
check hsdpa.db 1 "HSDPA, seed 1"
echo "layercake study shape ok"
