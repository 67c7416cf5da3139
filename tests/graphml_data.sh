#!/usr/bin/env bash
# graphml_data.sh - the GraphML importer on the real Internet Topology Zoo
# files of the shared data (topologies/Geant2012.graphml, 40 nodes and 61
# links; topologies/Abilene.graphml, 11 and 14): every node becomes a
# scenario node routed to the repository, and the GEANT study runs.
# Skips (77) when the data is absent.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_data
if [ ! -r "$data/topologies/Geant2012.graphml" ] || [ ! -r "$data/topologies/Abilene.graphml" ]; then
    skip "graphml_data: no $data/topologies/{Geant2012,Abilene}.graphml (set STRATA_DATA)"
fi
export STRATA_DATA=$data
lib_tmp
cd "$tmp"
lib_fail_exits graphml_data

# GEANT: 40 graph nodes and the repository
"$STRATA" validate "$STRATA_SRC/configs/idn-geant.yaml" >v.txt
grep -qE '^ +nodes +41$' v.txt || fail "GEANT: expected 41 nodes, got: $(grep nodes v.txt)"
# Abilene through the same scenario: 11 nodes and the repository at New York
"$STRATA" validate "$STRATA_SRC/configs/idn-geant.yaml" \
    --set 'topology.graphml.file=${STRATA_DATA}/topologies/Abilene.graphml' \
    --set 'topology.graphml.repository.attach=[New York]' >a.txt
grep -qE '^ +nodes +12$' a.txt || fail "Abilene: expected 12 nodes, got: $(grep nodes a.txt)"

# a short GEANT run: every policy serves, the hindsight optimum is proven
"$STRATA" run "$STRATA_SRC/configs/idn-geant.yaml" --set duration=300s --db g.db -q >g.txt
cat g.txt
for p in infida greedy static lru lfu; do
    grep -qE "^$p +[0-9]+ " g.txt || fail "no $p row"
done
gap=$(sqlite3 g.db "select max(m.value) from metrics m where m.name = 'idn_static_gap'")
[ "$gap" = 0.0 ] || fail "GEANT: hindsight optimum not proven (gap $gap)"
echo "graphml data ok"
