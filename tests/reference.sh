#!/usr/bin/env bash
# reference.sh - docs/scenario.md is what `strata --reference md` writes
# from the readers' key tables, and docs/policies.md what `--reference
# policies` writes from the policies' parameter tables (so a key or
# parameter added without its documentation, or a stale checked-in
# reference, fails here); the
# section-5 page is written from the same tables; and an unknown key's
# error points to the reference.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_tmp
lib_fails

"$STRATA" --reference md >"$tmp/scenario.md" || fail "--reference md failed"
if ! diff -u "$STRATA_SRC/docs/scenario.md" "$tmp/scenario.md" >"$tmp/diff"; then
    head -40 "$tmp/diff"
    fail "docs/scenario.md is stale: regenerate it with 'strata --reference md > docs/scenario.md'"
fi
"$STRATA" --reference policies >"$tmp/policies.md" || fail "--reference policies failed"
if ! diff -u "$STRATA_SRC/docs/policies.md" "$tmp/policies.md" >"$tmp/pdiff"; then
    head -40 "$tmp/pdiff"
    fail "docs/policies.md is stale: regenerate it with 'strata --reference policies > docs/policies.md'"
fi
# Every parameter the README names for layercake is in its table.
for p in percentile safety margin_ms bw_estimator; do
    grep -q "^| \`$p\` |" "$tmp/policies.md" || fail "parameter $p is not documented"
done

# Every key the scenario reader accepts at the top level is documented:
# the error for an unknown key lists them, and each must have a row.
printf 'bogus_key: 1\n' >"$tmp/bad.yaml"
"$STRATA" validate "$tmp/bad.yaml" 2>"$tmp/err" && fail "an unknown key was accepted"
grep -q "unknown key 'bogus_key' in the scenario; expected one of: " "$tmp/err" \
    || fail "unexpected message: $(cat "$tmp/err")"
grep -q "(every key: man 5 strata-scenario)" "$tmp/err" || fail "the error does not point to the reference"
keys=$(sed -n "s/.*expected one of: \([^(]*\) (every key.*/\1/p" "$tmp/err" | tr -d ' ' | tr ',' ' ')
[ -n "$keys" ] || fail "no key list in: $(cat "$tmp/err")"
for k in $keys; do
    grep -q "^| \`$k\` |" "$tmp/scenario.md" || fail "top-level key '$k' is not in the reference"
done
"$STRATA" --reference man >"$tmp/s.5" || fail "--reference man failed"
grep -q '^\.TH "STRATA-SCENARIO" 5' "$tmp/s.5" || fail "the man page lacks its header"
grep -q 'replications' "$tmp/s.5" || fail "the man page lacks the sweep keys"
if command -v man >/dev/null; then
    man -l "$tmp/s.5" 2>"$tmp/man.err" | grep -q 'SWEEP FILES' || fail "man cannot render the page"
    [ ! -s "$tmp/man.err" ] || fail "man warns: $(head -3 "$tmp/man.err")"
fi
"$STRATA" --reference html >/dev/null 2>&1 && fail "an unknown format was accepted"

lib_done
echo "reference: ok"
