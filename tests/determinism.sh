#!/usr/bin/env bash
# determinism.sh - the same scenario and seed give byte-identical exported
# results (runs and per-request rows); another seed gives other numbers.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
q="$STRATA_SRC/configs/quickstart.yaml"
for db in a b; do
    "$STRATA" run "$q" --db "$tmp/$db.db" --log-requests -q >/dev/null
    "$STRATA" export --db "$tmp/$db.db" --csv "$tmp/$db.csv"
    "$STRATA" export --db "$tmp/$db.db" --what requests --csv "$tmp/$db-req.csv"
done
cmp "$tmp/a.csv" "$tmp/b.csv"
cmp "$tmp/a-req.csv" "$tmp/b-req.csv"
[ "$(wc -l <"$tmp/a-req.csv")" -gt 1000 ]
"$STRATA" run "$q" --seed 2 --db "$tmp/c.db" -q >/dev/null
"$STRATA" export --db "$tmp/c.db" --csv "$tmp/c.csv"
if cmp -s "$tmp/a.csv" "$tmp/c.csv"; then
    echo "FAIL: seed 2 gave the same results as seed 1"
    exit 1
fi
# The metric values themselves differ, not only the keys.
cut -d, -f7- "$tmp/a.csv" >"$tmp/a.vals"
cut -d, -f7- "$tmp/c.csv" >"$tmp/c.vals"
! cmp -s "$tmp/a.vals" "$tmp/c.vals"
# The tcp transport is as deterministic, and it moves the results.
tcp=(--set devices.0.link.transport=tcp --set devices.1.link.transport=tcp
     --set devices.2.link.transport=tcp)
for db in t u; do
    "$STRATA" run "$q" "${tcp[@]}" --db "$tmp/$db.db" --log-requests -q >/dev/null
    "$STRATA" export --db "$tmp/$db.db" --what requests --csv "$tmp/$db-req.csv"
done
cmp "$tmp/t-req.csv" "$tmp/u-req.csv"
! cmp -s "$tmp/a-req.csv" "$tmp/t-req.csv"
echo "byte-identical for the same seed; different for another"
