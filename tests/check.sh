#!/usr/bin/env bash
# check.sh - the regression gate, `strata check`, on a small experiment:
# --update writes an expected file and the gate then passes (with any
# --jobs); one value moved beyond its tolerance fails with exit 1 naming
# the group and metric; rel, abs and ci tolerances pass what they allow
# and fail what they do not; a missing or an extra row fails and is named;
# a malformed expected file exits 2 with file:line before anything runs;
# --update keeps each row's tolerance and the comments, and says what
# changed; the temporary database is removed.  Also: every policy the
# binary knows is in the committed regression experiments' expected file.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
cd "$tmp"
mkdir scratch
export TMPDIR="$tmp/scratch"   # where the gate's temporary database goes

lib_fail_exits

# Runs the gate; sets rc, leaves stdout in out.txt and stderr in err.txt.
gate() {
    rc=0
    "$STRATA" check exp.yaml --expect "$@" >out.txt 2>err.txt || rc=$?
}

expect_rc() {
    [ "$rc" = "$1" ] || { cat out.txt err.txt >&2; fail "$2: exit $rc, expected $1"; }
}

# Row key of the value the tests move: (layercake, uplink 0.5, attainment).
key='exp,layercake,devices.0.link.up.scale=0.5,slo_attainment'

# Sets the mean of the row $key to (mean + $2 * sd) and its tolerance to
# $3, writing $4 from $1.
move() {
    awk -F, -v OFS=, -v key="$key" -v k="$2" -v tol="$3" '
        $1 "," $2 "," $3 "," $4 == key { $6 = sprintf("%.17g", $6 + k * $7); $8 = tol }
        { print }' "$1" >"$4"
    grep -q "^$key," "$4" || fail "the row $key is not in $1"
    ! cmp -s "$1" "$4" || fail "move $2 $3 changed nothing"
}

cat >exp.yaml <<EOF
name: exp
base: $STRATA_SRC/configs/layercake-synth.yaml
set: {duration: 200 s}
grid:
  devices.0.link.up.scale: [0.25, 0.5]
seeds: [1, 2, 3]
policies: [local, layercake]
EOF

# ---- --update creates the file; the gate passes ----------------------------
"$STRATA" check --help >help.txt || fail "--help exited non-zero"
grep -q 'expect' help.txt || fail "--help does not mention --expect"

gate ref.csv -j 2
expect_rc 2 "a missing expected file without --update"
grep -q 'ref.csv does not exist' err.txt || fail "missing file not named"

gate ref.csv -j 2 --update
expect_rc 0 "--update of a new file"
grep -q 'wrote ref.csv' out.txt || fail "--update did not say it wrote the file"
head -1 ref.csv | grep -q '^#' || fail "the new file has no comment header"
grep -q '^experiment,policy,point,metric,n,mean,sd,tolerance$' ref.csv \
    || fail "no header line"
rows=$(grep -c '^exp,' ref.csv)
[ "$rows" -ge 40 ] || fail "only $rows rows for 4 groups"
[ "$(cut -d, -f1-3 ref.csv | grep '^exp,' | sort -u | wc -l)" = 4 ] \
    || fail "expected 4 groups (2 policies x 2 uplinks)"
grep "^$key," ref.csv | grep -q ',3,' || fail "n is not 3 seeds: $(grep "^$key," ref.csv)"
[ -z "$(ls scratch)" ] || fail "the temporary database was left: $(ls scratch)"

for j in 1 2; do
    gate ref.csv -j $j
    expect_rc 0 "the unchanged gate with --jobs $j"
    grep -q "ok: all $rows rows within tolerance" out.txt || fail "no ok line"
done
[ -z "$(ls scratch)" ] || fail "the temporary database was left: $(ls scratch)"

# ---- one value moved beyond tolerance --------------------------------------
move ref.csv 0.001 exact moved.csv
gate moved.csv -j 2
expect_rc 1 "a value moved under an exact tolerance"
grep 'MOVED' out.txt | grep 'layercake devices.0.link.up.scale=0.5' \
    | grep -q 'slo_attainment' || fail "the moved metric is not named"
[ "$(grep -c 'MOVED' out.txt)" = 1 ] || fail "more than one row reported moved"
grep -q 'FAIL: 1 of' out.txt || fail "no FAIL summary"
grep -q -- '--update' out.txt || fail "no hint how to accept the change"

# ---- tolerances -------------------------------------------------------------
mean=$(grep "^$key," ref.csv | cut -d, -f6)
sd=$(grep "^$key," ref.csv | cut -d, -f7)
awk -v s="$sd" -v m="$mean" 'BEGIN { exit !(s > 0 && s < m / 10) }' \
    || fail "the tests need 0 < sd < mean/10, got mean $mean sd $sd"
# Moving by one sd is about 1-10% of the mean here, so:
move ref.csv 1 rel:0.5 t.csv;     gate t.csv; expect_rc 0 "rel:0.5, 1 sd"
move ref.csv 1 rel:0.0001 t.csv;  gate t.csv; expect_rc 1 "rel:0.0001, 1 sd"
grep -q 'rel:0.0001' out.txt || fail "the tolerance is not shown"
move ref.csv 0.999 "abs:$sd" t.csv; gate t.csv; expect_rc 0 "abs:sd, 0.999 sd"
move ref.csv 2 "abs:$sd" t.csv;   gate t.csv; expect_rc 1 "abs:sd, 2 sd"
# 95% intervals of 3 seeds are +-2.5 sd: they overlap up to ~5 sd apart.
move ref.csv 1 ci t.csv;          gate t.csv; expect_rc 0 "ci, 1 sd"
move ref.csv 10 ci t.csv;         gate t.csv; expect_rc 1 "ci, 10 sd"
grep 'MOVED (interval)' out.txt | grep -q slo_attainment || fail "ci: not named"
move ref.csv 10 ci:0.999999 t.csv; gate t.csv; expect_rc 0 "ci:0.999999, 10 sd"

# A changed n moves whatever the tolerance.
awk -F, -v OFS=, -v key="$key" '$1 "," $2 "," $3 "," $4 == key { $5 = 4; $8 = "rel:1" } { print }' \
    ref.csv >t.csv
gate t.csv; expect_rc 1 "n changed"
grep -q 'MOVED (n)' out.txt || fail "a changed n is not reported as such"

# ---- missing and extra rows -------------------------------------------------
grep -v "^$key," ref.csv >t.csv
gate t.csv; expect_rc 1 "a row missing from the expected file"
grep 'NEW' out.txt | grep -q slo_attainment || fail "the new row is not named"
{ cat ref.csv; echo 'exp,layercake,devices.0.link.up.scale=0.5,no_such_metric,3,1,0,exact'; } >t.csv
extra=$(wc -l <t.csv)
gate t.csv; expect_rc 1 "an extra row in the expected file"
grep 'MISSING' out.txt | grep 'no_such_metric' | grep -q "line $extra" \
    || fail "the extra row is not named with its line"
sed 's/^exp,local,devices.0.link.up.scale=0.25,/exp,local,devices.0.link.up.scale=9,/' ref.csv >t.csv
gate t.csv; expect_rc 1 "a group the run does not have"
grep 'scale=9' out.txt | grep -q 'MISSING: the run has no such group' \
    || fail "a whole missing group is not said in one line"

# ---- malformed expected files: exit 2 with file:line, nothing run ----------
hdr='experiment,policy,point,metric,n,mean,sd,tolerance'
bad() {   # $1 name, $2 line that should be named, $3 text expected, rest: lines
    local name=$1 line=$2 text=$3
    shift 3
    printf '%s\n' "$@" >"$name.csv"
    gate "$name.csv"
    expect_rc 2 "malformed file $name"
    grep -q "$name.csv:$line: .*$text" err.txt \
        || { cat err.txt >&2; fail "$name: error does not name line $line ($text)"; }
    ! grep -q 'runs of' out.txt || fail "$name: the experiment ran anyway"
}
bad header 2 "expected the header" '# comment' 'experiment,policy,metric,mean'
bad fields 3 "expected 8 fields" '#' "$hdr" 'exp,local,,requests,3,1,2'
bad number 2 "field mean: expected a number" "$hdr" 'exp,local,,requests,3,abc,2,exact'
bad count 2 "field n: expected a whole number" "$hdr" 'exp,local,,requests,-3,1,2,exact'
bad tolerance 2 "field tolerance: expected exact" "$hdr" 'exp,local,,requests,3,1,2,approx'
bad quote 2 "malformed CSV" "$hdr" 'exp,"local,,requests,3,1,2,exact'
bad sd 2 "field sd: expected a number when n is 2" "$hdr" 'exp,local,,requests,3,1,,exact'
bad duplicate 4 "already given on line 2" "$hdr" 'exp,local,,requests,3,1,2,exact' \
    'exp,cloud,,requests,3,1,2,exact' 'exp,local,,requests,3,5,2,rel:0.1'
: >empty.csv
gate empty.csv; expect_rc 2 "an empty expected file"
grep -q 'empty.csv: no header line' err.txt || fail "empty file: no clear message"

# ---- --update keeps tolerances and comments, and says what changed --------
move ref.csv 1 rel:0.000001 t.csv
{ echo '# a note that must survive --update'; cat t.csv; } >upd.csv
grep -v '^exp,local,devices.0.link.up.scale=0.25,requests,' upd.csv >t.csv && mv t.csv upd.csv
gate upd.csv --update
expect_rc 0 "--update"
grep 'slo_attainment' out.txt | grep -q MOVED || fail "--update does not list what moved"
grep -q 'updated upd.csv: .* 1 moved beyond tolerance, .* 1 added' out.txt \
    || fail "--update summary: $(tail -1 out.txt)"
head -1 upd.csv | grep -q 'a note that must survive' || fail "--update dropped the comments"
grep "^$key," upd.csv | grep -q ',rel:1e-06$' || fail "--update lost the row's tolerance: $(grep "^$key," upd.csv)"
[ "$(grep -v "^$key," upd.csv | grep -v '^#' | cut -d, -f1-7)" = \
  "$(grep -v "^$key," ref.csv | grep -v '^#' | cut -d, -f1-7)" ] \
    || fail "--update did not write the run's values"
gate upd.csv; expect_rc 0 "the gate after --update"
cp upd.csv before.csv
gate upd.csv --update; expect_rc 0 "a second --update"
grep -q 'upd.csv is up to date' out.txt || fail "a second --update changed something"
cmp -s upd.csv before.csv || fail "an up-to-date --update rewrote the file"

# ---- bad experiments and usage ---------------------------------------------
sed 's/seeds: \[1, 2, 3\]/seeds: [1, 2, 3]\nbogus: 1/' exp.yaml >bogus.yaml
rc=0; "$STRATA" check bogus.yaml --expect ref.csv >out.txt 2>err.txt || rc=$?
expect_rc 2 "a malformed experiment"
grep -q 'bogus.yaml:' err.txt || fail "the malformed experiment is not named"
# A run that fails (parameters the policy rejects when it starts) fails
# the gate, naming the point.
cat >failing.yaml <<EOF
name: failing
base: $STRATA_SRC/configs/layercake-synth.yaml
set:
  duration: 150 s
  policy: [{name: local}, {name: layercake, params: {safety: -7}}]
seeds: [1]
EOF
rc=0; "$STRATA" check failing.yaml --expect ref.csv >out.txt 2>err.txt || rc=$?
expect_rc 1 "a run that fails"
grep -q '1 of 2 runs failed' err.txt || fail "the failed run is not counted"
grep -q 'failing: policy=layercake seed=1: .*safety' err.txt \
    || fail "the failed run is not named"
rc=0; "$STRATA" check exp.yaml >out.txt 2>err.txt || rc=$?
expect_rc 2 "no --expect"
rc=0; "$STRATA" check exp.yaml exp.yaml --expect ref.csv >out.txt 2>err.txt || rc=$?
expect_rc 2 "two experiments of one name"
[ -z "$(ls scratch)" ] || fail "the temporary database was left: $(ls scratch)"

# ---- the committed gate covers every policy -----------------------------------
expected="$STRATA_SRC/experiments/regression.expected.csv"
[ -f "$expected" ] || fail "$expected is missing"
"$STRATA" run --help | awk '/^policies:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' \
    >policies.txt
[ -s policies.txt ] || fail "cannot list the policies from 'strata run --help'"
while read -r p; do
    grep -q "^[^,]*,$p," "$expected" \
        || fail "policy $p is not in the regression gate: add it to an experiment in experiments/regression*.yaml and run --update"
done <policies.txt
echo "check: ok ($rows rows per run; $(wc -l <policies.txt) policies in the gate)"
