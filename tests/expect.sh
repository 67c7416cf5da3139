# expect.sh - sourced by CLI tests: runs strata and checks its exit code and
# stderr.  Needs $STRATA, a $tmp directory and a $fails counter.
#
# expect CODE PATTERN -- ARGS...: an empty PATTERN checks the code only.
expect() {
    local code=$1 pattern=$2
    shift 3
    "$STRATA" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$code" ] || { [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$tmp/err"; }; then
        echo "FAIL: strata $* -> exit $got (want $code), stderr:"
        sed 's/^/    /' "$tmp/err"
        echo "    (wanted /$pattern/)"
        fails=$((fails + 1))
    else
        echo "ok: strata $* -> $code: $(head -1 "$tmp/err" | head -c 160)"
    fi
}
