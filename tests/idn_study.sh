#!/usr/bin/env bash
# idn_study.sh - the IDN study end to end: one command runs infida, greedy,
# static, lru and lfu side by side on the tree, with a stationary and a
# sliding popularity; the per-slot series export; and the study's shape.
#
# Tolerances (the runs are seeded, so these are fixed numbers, not noise):
# - the hindsight optimum (exact, GLPK) is proven (gap 0), the same for
#   every policy of a scenario (arrivals do not depend on the policy), and
#   its LP bound is above it; test_idn checks the solver against
#   enumeration on small instances.
# - policies that apply an allocation end every slot holding it
#   (idn_mismatch_slots 0) and never cold-load behind it (model_loads 0).
# - stationary: infida's time-averaged gain is at least 85% of the exact
#   static allocation's, and its fractional state's gain within 5% of the
#   LP relaxation's.  Not the 90% one could hope for: its y stays
#   fractional on flat directions of the gain (idn_fractional_share about
#   0.7 at seed 1) and each slot's DepRound draw from it loses about 10%;
#   the fractional gain itself is 0.99 of the relaxation's.  No rounding
#   rule lifts that to 0.9 across seeds 1-5 (experiments/idn-rounding.yaml:
#   the default 0.884 +/- 0.007; the exactly unbiased margin 0.58, hull
#   0.85; coupled draws 0.90 +/- 0.03, not the paper's default), so the
#   bound stays 0.85.
# - sliding: the paper finds infida at or above greedy here.  With this
#   implementation and scenario it is not (seed 1: infida 0.80, greedy
#   0.84 of static); that assertion is left out and the numbers printed.
# - capacity binding (a tiny version of experiments/idn-capacity-tree.yaml):
#   overflow share > 0 and a peak offered load past capacity, with both
#   exact solves still proven (gap 0) and bounded.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
cd "$tmp"

lib_fail_exits idn_study

"$STRATA" run "$STRATA_SRC/configs/idn-tree.yaml" --db s.db -q >stat.txt
"$STRATA" run "$STRATA_SRC/configs/idn-tree-sliding.yaml" --db s.db -q >slide.txt
cat stat.txt slide.txt
for p in infida greedy static lru lfu; do
    grep -qE "^$p +[0-9]+ " stat.txt || fail "no $p row in the table"
    grep -qE "^$p +[0-9]+ " slide.txt || fail "no $p row in the sliding table"
done
grep -q 'vs static' stat.txt || fail "the table has no 'vs static' column"

metric() {
    sqlite3 s.db "select m.value from metrics m join runs r on r.id = m.run_id
                  where r.scenario = '$1' and r.policy = '$2' and m.name = '$3'"
}
# at_least A B: A >= B
at_least() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'
}

for sc in idn-tree idn-tree-sliding; do
    printf '%s:' "$sc"
    for p in infida greedy static lru lfu; do
        printf ' %s %.3f' "$p" "$(metric "$sc" "$p" idn_gain_vs_static)"
    done
    echo
    # the static allocation is the reference: its ratio is 1, it never reloads
    [ "$(metric "$sc" static idn_gain_vs_static)" = 1.0 ] || fail "$sc: static is not its own reference"
    [ "$(metric "$sc" static realloc_loads)" = 0.0 ] || fail "$sc: static reloaded models"
    # every request is accounted for, none dropped
    for p in infida greedy static lru lfu; do
        [ "$(metric "$sc" "$p" requests_dropped)" = 0.0 ] || fail "$sc/$p dropped requests"
        [ "$(metric "$sc" "$p" idn_slots)" = 110.0 ] || fail "$sc/$p: expected 110 measured slots"
    done
done

# the exact hindsight optimum: proven, one value per scenario, bounded
for sc in idn-tree idn-tree-sliding; do
    n=$(sqlite3 s.db "select count(distinct m.value) from metrics m join runs r on r.id = m.run_id
                      where r.scenario = '$sc' and m.name = 'idn_opt_gain_per_slot'")
    [ "$n" = 1 ] || fail "$sc: $n different hindsight optima across the policies"
    for p in infida greedy static lru lfu; do
        [ "$(metric "$sc" "$p" idn_static_gap)" = 0.0 ] || fail "$sc/$p: hindsight optimum not proven"
        at_least "$(metric "$sc" "$p" idn_opt_lp_per_slot)" "$(metric "$sc" "$p" idn_opt_gain_per_slot)" ||
            fail "$sc/$p: LP bound below the optimum"
    done
    for p in infida greedy static; do
        [ "$(metric "$sc" "$p" idn_mismatch_slots)" = 0.0 ] || fail "$sc/$p: slots ended off the allocation"
        [ "$(metric "$sc" "$p" model_loads)" = 0.0 ] || fail "$sc/$p: the world loaded models behind the policy"
    done
done
# stationary: static's fixed allocation is the hindsight optimum's equal
at_least "$(metric idn-tree static idn_gain_vs_opt)" 0.99 || fail "stationary: static far from the hindsight optimum"
# stationary: infida close to static (see the tolerances above)
r=$(metric idn-tree infida idn_gain_vs_static)
at_least "$r" 0.85 || fail "stationary: infida at $r of static, expected >= 0.85"
fr=$(metric idn-tree infida idn_fractional_share)
awk -v a="$fr" 'BEGIN { exit !(a >= 0 && a <= 1) }' || fail "fractional share $fr out of [0, 1]"
f=$(metric idn-tree infida idn_fractional_gain_per_slot)
fs=$(metric idn-tree static idn_fractional_gain_per_slot)
at_least "$f" "$(awk -v x="$fs" 'BEGIN { print 0.95 * x }')" ||
    fail "stationary: infida's fractional gain $f, static's $fs"
# the caches, loading on every miss, stay below the static allocation
for p in lru lfu; do
    awk -v a="$(metric idn-tree $p idn_gain_vs_static)" 'BEGIN { exit !(a < 1) }' ||
        fail "stationary: $p not below static"
done
# sliding (not asserted, see above): infida against greedy
echo "sliding: infida $(metric idn-tree-sliding infida idn_gain_vs_static)," \
     "greedy $(metric idn-tree-sliding greedy idn_gain_vs_static) of static"

# infida's other rounding rules on the stationary tree (test_idn checks
# their frequencies): margin's and hull's draws always fit, so the world
# holds every allocation without evicting or loading behind it; coupled
# rounding (couple: uniforms) reuses its random numbers and reloads at
# most half as often as independent draws (measured: 5.5 against 27.5
# reloads per slot over seeds 1-5).
for rule in "leftover=margin" "leftover=hull" "couple=uniforms"; do
    "$STRATA" run "$STRATA_SRC/configs/idn-tree.yaml" --policy infida \
        --set "policy.0.params.$rule" --set policy.0.params.hindsight=off --db r.db -q >/dev/null ||
        fail "infida with $rule did not run"
done
rmetric() {
    sqlite3 r.db "select m.value from metrics m join runs r on r.id = m.run_id
                  where r.params like '%$1%' and m.name = '$2'"
}
for rule in margin hull; do
    [ "$(rmetric "$rule" idn_mismatch_slots)" = 0.0 ] || fail "$rule: slots ended off the allocation"
    [ "$(rmetric "$rule" model_loads)" = 0.0 ] || fail "$rule: the world loaded models behind the policy"
done
coupled=$(rmetric uniforms idn_loads_per_slot)
indep=$(metric idn-tree infida idn_loads_per_slot)
echo "reloads per slot: independent $indep, coupled $coupled"
at_least "$(awk -v x="$indep" 'BEGIN { print x / 2 }')" "$coupled" ||
    fail "coupled rounding reloads $coupled per slot, independent $indep"

# capacity binds (a tiny experiments/idn-capacity-tree.yaml: 10 measured
# slots, the ranking rotating every 5): requests overflow past full
# allocated pairs, an allocated pair is offered more than its capacity,
# and the exact references are still proven optimal there
cap=(--set 'duration=200 s' --set devices.0.count=162
     --set devices.0.workload.arrival.rate_per_s=8
     --set devices.0.workload.tasks.shift_every=5)
for i in 1 2; do cap+=(--set "policy.$i.params.capacity_scale=0.3"); done
"$STRATA" run "$STRATA_SRC/configs/idn-tree.yaml" --policy greedy,static \
    "${cap[@]}" --db cap.db -q >cap.txt
capm() {
    sqlite3 cap.db "select m.value from metrics m join runs r on r.id = m.run_id
                    where r.policy = '$1' and m.name = '$2'"
}
for p in greedy static; do
    o=$(capm $p idn_overflow_share)
    awk -v a="$o" 'BEGIN { exit !(a > 0) }' || fail "capacity: $p overflow share $o, expected > 0"
    at_least "$(capm $p idn_peak_load)" 1.0001 || fail "capacity: $p never offered a pair more than its capacity"
    [ "$(capm $p idn_static_gap)" = 0.0 ] || fail "capacity: $p's hindsight optimum not proven"
    [ "$(capm $p idn_static_ref_gap)" = 0.0 ] || fail "capacity: the static reference not proven"
    at_least "$(capm $p idn_opt_lp_per_slot)" "$(capm $p idn_opt_gain_per_slot)" ||
        fail "capacity: $p's LP bound below the optimum"
    echo "capacity: $p overflow $o, peak load $(capm $p idn_peak_load)"
done

# a fixed allocation never beats the best fixed one in hindsight (up to
# rounding: the two sums run in different orders)
sm=$(capm static idn_model_gain_per_slot)
at_least "$(capm static idn_opt_gain_per_slot)" "$(awk -v x="$sm" 'BEGIN { print x * (1 - 1e-9) }')" ||
    fail "capacity: static's $sm above the hindsight optimum"

# the per-slot series: 120 slots of each, served per tier adding up
"$STRATA" export --db s.db --what timeseries --csv ts.csv
[ "$(head -1 ts.csv)" = "run_key,scenario,policy,params,seed,slot,name,value,t_s" ] ||
    fail "unexpected timeseries header: $(head -1 ts.csv)"
for p in infida greedy static lru lfu; do
    n=$(grep -c ",idn-tree,$p,.*,gain_integral," ts.csv || true)
    [ "$n" = 120 ] || fail "$p: $n slots of gain_integral, expected 120"
done
grep -q ',idn-tree,infida,.*,gain_fractional,' ts.csv || fail "no fractional gain for infida"
if grep -q ',idn-tree,greedy,.*,gain_fractional,' ts.csv; then
    fail "greedy has no fractional state to report"
fi
bad=$(sqlite3 s.db "
  select count(*) from (
    select t.run_id, t.slot,
           sum(case when t.name = 'requests' then t.value else 0 end) as req,
           sum(case when t.name like 'served_%' then t.value else 0 end) as srv
    from timeseries t group by t.run_id, t.slot) where req != srv")
[ "$bad" = 0 ] || fail "$bad slots where served per tier does not add up to requests"

# the same scenario and seed give the same series, byte for byte
"$STRATA" run "$STRATA_SRC/configs/idn-tree-sliding.yaml" --policy infida --db again.db -q >/dev/null
"$STRATA" export --db again.db --what timeseries --csv again.csv
grep ',idn-tree-sliding,infida,' ts.csv >a.csv
grep ',idn-tree-sliding,infida,' again.csv >b.csv
cmp -s a.csv b.csv || fail "a re-run of infida gave a different timeseries"

# the figures of the two scenarios (one configuration per scenario and
# policy, each its own panel), when gnuplot is there
if command -v gnuplot >/dev/null; then
    STRATA="$STRATA" "$STRATA_SRC/analysis/figures" s.db figs --series gain_integral >/dev/null
    [ -s figs/series_gain_integral.png ] || fail "analysis/figures drew no gain over time"
    grep -q 'scenario=idn-tree-sliding' figs/series_gain_integral.svg \
        || fail "the two scenarios are not separate panels"
else
    echo "idn_study: gnuplot not installed; figure not checked"
fi
echo "idn study ok"
